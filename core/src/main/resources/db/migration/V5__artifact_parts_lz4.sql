-- Parts are CSV or JSON text, which lz4 shrinks about fourfold at little CPU: PostgreSQL then
-- writes a quarter of the bytes to the heap and the WAL, so storing a part costs half the time
-- it did uncompressed. Already-gzipped parts do not shrink, and PostgreSQL stores them as they are.
ALTER TABLE artifact_part ALTER COLUMN data SET STORAGE EXTENDED;
ALTER TABLE artifact_part ALTER COLUMN data SET COMPRESSION lz4;
