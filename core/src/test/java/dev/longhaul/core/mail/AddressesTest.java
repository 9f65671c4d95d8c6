package dev.longhaul.core.mail;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {
    @ParameterizedTest
    @ValueSource(strings = {"ann@example.com", "a.b+tag@mail.example.co.uk", "x@y.z", "o'hara@example.ie", "a@b..c"})
    void takes(String address) {
        assertThat(Addresses.isEmail(address)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ann", "ann@", "@example.com", "ann@example", "ann@.com", "ann@example.", "ann@@example.com",
            "ann@ex@ample.com", "ann smith@example.com", "ann@example.com ", "ann@exa\tmple.com", "ann@example.com\n"})
    void refuses(String address) {
        assertThat(Addresses.isEmail(address)).isFalse();
    }
}
