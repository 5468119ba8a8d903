"""INSTALL's "Switching from sendmail", word for word, on a Debian machine
that ran Debian's sendmail (debianbox.py): the commands of its steps are
read from INSTALL and run as they stand.  Mail waits in both of
sendmail's queues beforehand; afterwards every message is delivered, to
a smart host or a mailbox, none is in a dead.letter, and users' mailq
works.  Then the steps of "Going back", word for word: sendmail's files,
links and alternatives are as they were, and the real sendmail delivers
what this program left queued."""
import os
import pathlib
import re

import pytest

from conftest import ROOT
from debianbox import Box

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (namespaces)"),
    pytest.mark.skipif(os.environ.get("SANITIZE") == "1",
                       reason="one run is enough: the box installs the "
                       "program it builds"),
]

LAYER = pathlib.Path(os.environ.get("SENDMAILD_PEERS",
                                    "/var/tmp/sendmaild-peers")) / "box"
SMART_PORT = 2526


def commands(section):
    """The shell commands of a part of INSTALL: its lines indented by
    eight spaces (the steps' own text is indented by four), with the
    blank lines between two of them, the indent taken off."""
    out, block = [], []
    for line in section.splitlines():
        if line.startswith(" " * 8):
            block.append(line[8:])
        elif line.strip() == "" and block:
            block.append("")
        else:
            if block:
                out.append("\n".join(block).rstrip("\n"))
            block = []
    if block:
        out.append("\n".join(block).rstrip("\n"))
    return "\n".join(out) + "\n"


def install_part(start, end):
    text = (ROOT / "INSTALL").read_text()
    return text[text.index(start):text.index(end)]


SWITCH = ("Switching from sendmail\n-----------------------",
          "\nNothing in the queues needs a chown.")
BACK = ("Going back\n----------", "\nWhat this program installed")

# systemctl for a box without systemd, doing what systemctl does for the
# two units of the steps: sendmail's System V script (through update-rc.d,
# as systemd-sysv-install) and the unit file INSTALL writes.
SYSTEMCTL = r"""#!/bin/bash
set -e
now=0 args=()
for a in "$@"; do
	if [ "$a" = --now ]; then now=1; else args+=("$a"); fi
done
verb=${args[0]} unit=${args[1]%.service}
[ "$verb" = daemon-reload ] && exit 0
case $verb in enable|disable|start|stop) ;; *) exit 1 ;; esac
f=/etc/systemd/system/$unit.service
if [ -f "$f" ]; then
	if [ "$verb" = start ] || { [ "$verb" = enable ] && [ $now = 1 ]; }; then
		rt=$(sed -n 's/^RuntimeDirectory=//p' "$f")
		[ -z "$rt" ] || mkdir -p "/run/$rt"
		setsid $(sed -n 's/^ExecStart=//p' "$f") </dev/null \
		    >>"/box/out/$unit.out" 2>&1 &
		echo $! >"/run/systemctl-$unit.pid"
	elif [ "$verb" = stop ] || [ $now = 1 ]; then
		pid=$(cat "/run/systemctl-$unit.pid")
		kill -TERM "$pid"
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
else
	case $verb in
	enable|disable) update-rc.d "$unit" "$verb" ;;
	esac
	if [ $now = 1 ] || [ "$verb" = start ] || [ "$verb" = stop ]; then
		case $verb in
		enable|start) /etc/init.d/"$unit" start ;;
		*) /etc/init.d/"$unit" stop ;;
		esac
	fi
fi
"""

# A smart host for the box: each message in a file of its own.
SMARTHOST = r"""import os, sys, time
from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)


class Keep:
    async def handle_DATA(self, server, session, env):
        n = len(os.listdir(out))
        head = "MAIL %s\n" % env.mail_from + "".join(
            "RCPT %s\n" % r for r in env.rcpt_tos) + "\n"
        with open("%s/.%03d" % (out, n), "wb") as f:
            f.write(head.encode() + env.original_content)
        os.rename("%s/.%03d" % (out, n), "%s/%03d.eml" % (out, n))
        return "250 2.0.0 kept"


Controller(Keep(), hostname="127.0.0.1", port=port).start()
open(out + ".ready", "w").close()
while True:
    time.sleep(3600)
"""

PRELUDE = f"""export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p /box/out
install -m 0755 /box/systemctl /usr/local/bin/systemctl
echo "127.0.0.1 box.example.org box" >>/etc/hosts
useradd -m alice

smarthost() {{
	rm -f /box/out/smart.ready
	python3 /box/smarthost.py {SMART_PORT} /box/out/smart &
	SMART=$!
	for i in $(seq 100); do [ -e /box/out/smart.ready ] && return; sleep 0.1; done
	return 1
}}
# wait_empty DIR...: until no control file is left, 90 s at most
wait_empty() {{
	for i in $(seq 900); do
		n=0
		for d in "$@"; do n=$((n + $(ls "$d" | grep -c '^qf' || :))); done
		[ $n = 0 ] && return
		sleep 0.1
	done
	ls -l "$@"
	return 1
}}
# snapshot: owners, modes, links and contents of what is sendmail's
snapshot() {{
	{{
	find /etc/mail /etc/cron.d /etc/alternatives /var/lib/dpkg/alternatives \\
	    /etc/rc?.d /etc/systemd/system /usr/sbin /usr/bin /usr/lib/sendmail \\
	    /usr/share/man/man1 /usr/share/man/man5 /usr/share/man/man8 \\
	    /var/lib/sendmail -maxdepth 1 -printf '%p %u:%g %m %y %l\\n'
	find /var/spool/mqueue /var/spool/mqueue-client -maxdepth 0 \\
	    -printf '%p %u:%g %m %y\\n'
	find /etc/mail /etc/cron.d /var/lib/dpkg/alternatives -type f \\
	    -exec md5sum {{}} +
	}} | sort
}}
"""

# The machine as it was: Debian's sendmail relaying through a smart host
# (down for now), mail in its queue and in its submission program's.  It
# has no DNS: the box's network is its own loopback, so sendmail looks
# names up in /etc/hosts only, with Debian's service.switch-nodns.
BEFORE = f"""
cd /etc/mail
cp service.switch-nodns service.switch
python3 - <<'EOF'
import re
mc = open("sendmail.mc").read()
site = ("define(`SMART_HOST', `[127.0.0.1]')dnl\\n"
        "define(`RELAY_MAILER_ARGS', `TCP $h {SMART_PORT}')dnl\\n")
i = mc.index("MAILER_DEFINITIONS")
open("sendmail.mc", "w").write(mc[:i] + site + mc[i:])
EOF
make -s sendmail >/dev/null
/etc/init.d/sendmail start
printf 'To: far@example.net\\nSubject: before-1\\n\\nroot, daemon up\\n' |
    sendmail -t -i
su alice -c "printf 'Subject: before-2\\n\\nalice, daemon up\\n' |
    sendmail bob@example.net"
printf 'Subject: before-local\\n\\nroot to alice\\n' | sendmail alice
for i in $(seq 300); do
	[ "$(ls /var/spool/mqueue | grep -c '^qf')" -ge 2 ] && break
	sleep 0.1
done
/etc/init.d/sendmail stop
su alice -c "printf 'Subject: before-3\\n\\nalice, daemon down\\n' |
    sendmail carol@example.net"
su alice -c "printf 'Subject: before-4\\n\\nalice to herself\\n' |
    sendmail alice"
printf 'Subject: before-5\\n\\nroot, daemon down\\n' | sendmail dave@example.net
ls -ln /var/spool/mqueue /var/spool/mqueue-client >/box/out/queues-before
cp /var/mail/alice /box/out/alice-before
snapshot >/box/out/snapshot-before
"""

AFTER_SWITCH = """
wait_empty /var/spool/mqueue /var/spool/mqueue-client
sleep 1
mkdir -p /box/out/mail
cp -p /var/mail/* /box/out/mail/
find / -xdev -name dead.letter -size +0 >/box/out/dead-letters || :
# One message this program keeps for sendmail: the smart host is down.
kill $SMART
wait $SMART || :
printf 'Subject: left-for-sendmail\\n\\nkept\\n' | sendmail erin@example.net
for i in $(seq 300); do
	grep -q '^N1$' /var/spool/mqueue/qf* 2>/dev/null && break
	sleep 0.1
done
su alice -c mailq >/box/out/mailq-alice 2>&1
ls -ln /var/spool/mqueue >/box/out/queue-kept
"""

AFTER_BACK = """
snapshot >/box/out/snapshot-after
smarthost
sendmail -q
wait_empty /var/spool/mqueue
ls /box/out/smart >/box/out/smart-after
"""


@pytest.fixture(scope="module")
def box():
    b = Box(LAYER)
    (b.io / "systemctl").write_text(SYSTEMCTL)
    (b.io / "smarthost.py").write_text(SMARTHOST)
    script = (PRELUDE + "set -x\n" + BEFORE + "smarthost\n"
              "cd /usr/src/sendmaild\n" + commands(install_part(*SWITCH)) +
              AFTER_SWITCH + "cd /\n" + commands(install_part(*BACK)) +
              AFTER_BACK)
    r = b.run(script, timeout=900)
    b.result = r
    yield b
    b.close()


def out(box, name):
    return (box.io / "out" / name).read_text()


def kept(box):
    """What the smart host took: (sender, recipients, message) each."""
    msgs = []
    for f in sorted((box.io / "out" / "smart").glob("*.eml")):
        head, _, body = f.read_text().partition("\n\n")
        lines = head.splitlines()
        msgs.append((lines[0][5:], [line[5:] for line in lines[1:]],
                     body))
    return msgs


def test_install_steps_run(box):
    r = box.result
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-6000:]


def test_mail_was_waiting_in_both_queues(box):
    text = out(box, "queues-before")
    client = text.split("/var/spool/mqueue-client:")[1]
    mta = text.split("/var/spool/mqueue-client:")[0]
    assert len(re.findall(r" qf\w+\n", mta)) == 2, text
    assert len(re.findall(r" qf\w+\n", client)) == 3, text


def test_every_message_delivered(box):
    subjects = {re.search(r"^Subject: (.*)$", m, re.M).group(1): (s, r)
                for s, r, m in kept(box)}
    for subject, rcpt in (("before-1", "far@example.net"),
                          ("before-2", "bob@example.net"),
                          ("before-3", "carol@example.net"),
                          ("before-5", "dave@example.net")):
        assert subject in subjects, subjects
        sender, rcpts = subjects[subject]
        assert rcpts == [rcpt]
        assert sender.endswith("@box.example.org"), sender
    alice = (box.io / "out/mail/alice").read_text()
    assert "Subject: before-local" in alice
    assert "Subject: before-4" in alice
    root = (box.io / "out/mail/root").read_text()
    assert "Subject: test" in root


def test_no_dead_letter(box):
    assert out(box, "dead-letters") == ""


def test_users_mailq(box):
    text = out(box, "mailq-alice")
    assert "/var/spool/mqueue (1 request)" in text, text
    assert "erin@example.net" in text, text


def test_going_back_restores_sendmail(box):
    before = out(box, "snapshot-before").splitlines()
    after = out(box, "snapshot-after").splitlines()
    assert [x for x in before if x not in after] == []
    assert [x for x in after if x not in before] == []


def test_sendmail_delivers_what_was_left(box):
    assert any(re.search(r"^Subject: left-for-sendmail$", m, re.M) and
               r == ["erin@example.net"] for s, r, m in kept(box))
