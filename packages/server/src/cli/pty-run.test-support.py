# Runs a command in a real pseudo-terminal, types PTY_INPUT once the prompt "(not shown)" appears,
# and prints everything the terminal showed. Exit code: the command's.
import os, pty, sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
seen = b""
typed = False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    if not typed and b"(not shown)" in seen:
        os.write(fd, os.environ["PTY_INPUT"].encode() + b"\r")
        typed = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
