"""The interactive REPL through a pseudo-terminal: typing, history recall, completion (of
commands, modules, populations, variables and named values),
Ctrl-C during :run, Ctrl-C at the prompt, Ctrl-D, and the history file (in HOME, or in
XDG_STATE_HOME when set).

Run by tests/repl/run.sh with AXON, AXON_SRCDIR and HOME (a temporary directory) set."""
import os
import pty
import select
import signal
import sys
import time

AXON = os.environ["AXON"]
SRC = os.environ["AXON_SRCDIR"]

pid = fd = None
screen = b""


def start(**env):
    """Starts `axon repl` on a pseudo-terminal (NO_COLOR=1, TERM=xterm, and env); its screen
    starts empty."""
    global pid, fd, screen
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(NO_COLOR="1", TERM="xterm", **env)
        os.execv(AXON, [AXON, "repl"])
    screen = b""


def watchdog(signum, frame):
    """No hang, whatever the REPL does: the whole session has three minutes."""
    os.kill(pid, signal.SIGKILL)
    sys.stdout.write(screen.decode("utf-8", "replace"))
    raise SystemExit("FAIL: the interactive session took more than 180 s")


signal.signal(signal.SIGALRM, watchdog)
signal.alarm(180)


def read_for(seconds):
    global screen
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], max(0.0, end - time.time()))
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            return
        if not data:
            return
        screen += data


def expect(text, seconds=20.0, count=1):
    """Waits until text has appeared count times in the output so far."""
    end = time.time() + seconds
    want = text.encode()
    while time.time() < end:
        if screen.count(want) >= count:
            return
        read_for(0.1)
    sys.stdout.write(screen.decode("utf-8", "replace"))
    raise SystemExit("FAIL: %r did not appear %d time(s)" % (text, count))


def at_prompt(after, seconds=20.0):
    """Waits until the prompt is back after the last output of after. A key typed while a
    command still runs reaches the terminal in its cooked mode, where Ctrl-D is the end of a
    line, not a character; the line editor, back in raw mode, never sees it (under load the
    session then waited for a key that had already been typed)."""
    end = time.time() + seconds
    want = after.encode()
    while time.time() < end:
        k = screen.rfind(want)
        if k >= 0 and b"axon> " in screen[k:]:
            read_for(0.2)
            return
        read_for(0.1)
    sys.stdout.write(screen.decode("utf-8", "replace"))
    raise SystemExit("FAIL: no prompt after %r" % after)


def send(keys):
    os.write(fd, keys.encode())


def ended(what):
    """The session's wait status once it has ended, at most 10 s after Ctrl-D."""
    for _ in range(100):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    sys.stdout.write(screen.decode("utf-8", "replace"))
    raise SystemExit("FAIL: %s did not end within 10 s of Ctrl-D" % what)


def history_has(path, entry, what):
    """The history file path holds entry."""
    text = open(path, encoding="utf-8", errors="replace").read() if os.path.exists(path) else ""
    if entry not in text:
        raise SystemExit("FAIL: the history file %s lacks %s: %r" % (path, what, text[:200]))


start()
expect("axon> ")
send("1 mV / 2 ms\r")
expect("0.5 V/s")
send(":load %s/examples/coba.axon\r" % SRC)
expect("defined module COBA")
send("sim = COBA(N = 400)\r")
expect("sim: COBA, 400 neurons")
# a failed call leaves the module callable: the next call works, the same error is shown again
send("bad = COBA(N = 10.5)\r")
expect("not 8.4")
send("ok = COBA(N = 40)\r")
expect("ok: COBA, 40 neurons")
send("bad = COBA(N = 10.5)\r")
expect("not 8.4", count=2)
# so does a failed expression
send("nosuch\r")
expect("undefined name 'nosuch'")
send("ok2 = COBA(N = 40)\r")
expect("ok2: COBA, 40 neurons")
# history: eight entries back is the first one
send("\x1b[A" * 8 + "\r")
expect("0.5 V/s", count=2)
# completion of a member path: two tabs list the candidates, variables and parameters
send("sim.E.g\t\t")
expect("sim.E.ge")
expect("sim.E.gi")
expect("sim.E.g_L")  # a shared parameter
# Ctrl-C at the prompt drops the line
send("\x03")
read_for(0.3)
send("2 * 21\r")
expect("42")
# completion of a command, a module, a population and a named value: each entry works only
# if the tab completed it (':sta sim' and 'COB(...)' are errors)
send(":sta\t sim\r")
expect("sim at t = 0 ms")
send("ref = COB\t(N = 40)\r")
expect("ref: COBA, 40 neurons")
send("tau_m = 3 ms\r")
send("tau_\t * 2\r")
expect("6 ms")
# a run reports the time it ran: whole steps (0.24 ms at 0.1 ms is 0.2 ms)
send(":run ref 0.24 ms\r")
expect("ref: t = 0.2 ms (0.2 ms in")
send("sim.\t\t")
expect("sim.I")
send("\x03")
read_for(0.3)
# Ctrl-C during a long run stops it with the state kept
send(":run sim 1000 s\r")
read_for(1.5)
# a slow machine may still be compiling: Ctrl-C again until the run says it stopped
for _ in range(30):
    send("\x03")
    read_for(1.0)
    if b"interrupted: sim is at t = " in screen:
        break
expect("interrupted: sim is at t = ")
send(":stats sim\r")
expect("population")
at_prompt("population")
# Ctrl-D leaves
send("\x04")
read_for(1.0)
status = ended("the session")
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.stdout.write(screen.decode("utf-8", "replace"))
    raise SystemExit("FAIL: the session did not end with status 0 on Ctrl-D (%r)" % status)
history_has(os.path.join(os.environ["HOME"], ".axon_history"), "mV", "the entries")

# with XDG_STATE_HOME set, the history goes to $XDG_STATE_HOME/axon/history, the missing
# directories made (here XDG_STATE_HOME itself does not exist yet)
state = os.path.join(os.environ["HOME"], "state")
start(XDG_STATE_HOME=state)
expect("axon> ")
send("3*7\r")
expect("21")
at_prompt("21")
send("\x04")
read_for(1.0)
ended("the second session")
history_has(os.path.join(state, "axon", "history"), "3*7", "the entry")
# two sessions open at once both keep their entries: each appends its own to the file
two = os.path.join(os.environ["HOME"], "two")
os.makedirs(two)
start(HOME=two)
expect("axon> ")
send("5*5\r")
at_prompt("25")
first = (pid, fd, screen)
start(HOME=two)
expect("axon> ")
send("6*6\r")
at_prompt("36")
second = (pid, fd, screen)
pid, fd, screen = first
send("\x04")
read_for(1.0)
ended("the first of two sessions")
pid, fd, screen = second
send("\x04")
read_for(1.0)
ended("the second of two sessions")
history_has(os.path.join(two, ".axon_history"), "5*5", "the first session's entry")
history_has(os.path.join(two, ".axon_history"), "6*6", "the second session's entry")
# the file keeps the newest 1000 entries, and stays readable: a session of 1005 entries, then
# a new session recalls the last one
many = os.path.join(os.environ["HOME"], "many")
os.makedirs(many)
start(HOME=many)
expect("axon> ")
for k in range(1005):
    send("%d+0\r" % k)
    if k % 100 == 99:
        at_prompt("%d\r\n" % k)
at_prompt("1004\r\n")
send("\x04")
read_for(1.0)
ended("a session of 1005 entries")
lines = open(os.path.join(many, ".axon_history"), encoding="utf-8", errors="replace").read().split("\n")
entries = [l for l in lines if l.endswith("+0")]
if len(entries) != 1000 or entries[-1] != "1004+0" or entries[0] != "5+0":
    raise SystemExit("FAIL: the history file should hold entries 5+0 .. 1004+0, not %d from %r to %r"
                     % (len(entries), entries[:1], entries[-1:]))
start(HOME=many)
expect("axon> ")
send("\x1b[A")
expect("1004+0")
send("\x15\x04")
read_for(1.0)
ended("the session after it")
# Ctrl-D typed while a run goes on (the terminal in its cooked mode) ends the session once the
# run is over, as at the prompt
start()
expect("axon> ")
send(":load %s/examples/coba.axon\r" % SRC)
expect("defined module COBA")
send("sim = COBA(N = 4000)\r")
expect("sim: COBA, 4000 neurons")
send(":run sim 40 s\r")
expect("%")
send("\x04")
expect("sim: t = 40000 ms", seconds=120.0)
ended("a session given Ctrl-D during a run")
print("interactive session: ok")
