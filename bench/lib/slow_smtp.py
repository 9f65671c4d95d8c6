#!/usr/bin/env python3
"""An SMTP server that takes DELAY_MS (50) to accept each message, for bench/fanout: it speaks just
enough SMTP for a mail client (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps nothing, and
counts the messages it accepted in COUNT_FILE. Usage: slow_smtp.py PORT DELAY_MS COUNT_FILE"""
import asyncio
import sys

PORT, DELAY, COUNT_FILE = int(sys.argv[1]), int(sys.argv[2]) / 1000, sys.argv[3]
accepted = 0


async def session(reader, writer):
    global accepted

    def reply(line):
        writer.write((line + "\r\n").encode())

    reply("220 slow-smtp ready")
    await writer.drain()
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line.decode(errors="replace").strip().split(" ")[0].upper()
        if verb == "EHLO":
            reply("250-slow-smtp")
            reply("250 8BITMIME")
        elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
            reply("250 OK")
        elif verb == "DATA":
            reply("354 end with <CRLF>.<CRLF>")
            await writer.drain()
            while (await reader.readline()) not in (b".\r\n", b".\n", b""):
                pass
            await asyncio.sleep(DELAY)  # the server's own time per message
            accepted += 1
            with open(COUNT_FILE, "w") as out:
                out.write(str(accepted))
            reply("250 queued")
        elif verb == "QUIT":
            reply("221 bye")
            await writer.drain()
            break
        else:
            reply("502 not implemented")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", PORT)
    async with server:
        await server.serve_forever()


asyncio.run(main())
