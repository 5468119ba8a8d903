"""Run the project's m4 tree over .mc files and read .cf files back."""
import pathlib
import re
import subprocess

from conftest import BUILD, ROOT

CF_M4 = ROOT / "cf" / "m4" / "cf.m4"
# The first lines of a .mc for Linux, including our cf.m4.
HEAD = f"divert(-1)dnl\ninclude(`{CF_M4}')dnl\nOSTYPE(`linux')dnl\n"


# The last lines of most test .mc files.
MAILERS = "MAILER(`local')dnl\nMAILER(`smtp')dnl\n"


def relay_to(port):
    """The .mc lines that send all mail on to a smart host at
    [127.0.0.1]:port, and leave the ident query out."""
    return ("define(`SMART_HOST', `[127.0.0.1]')dnl\n"
            f"define(`RELAY_MAILER_ARGS', `TCP $h {port}')dnl\n"
            "define(`confTO_IDENT', `0')dnl\n")


def relay_cf(directory, port, extra="", name="relay"):
    """name.cf in directory for a host that relays all mail to port
    (relay_to), with extra .mc lines before the mailers; its path."""
    return str(build_cf(directory, name, HEAD + relay_to(port) + extra +
                        MAILERS))


def point_at_our_tree(mc_text):
    """Point a .mc file's include line at our cf.m4."""
    return re.sub(r"include\(`[^']*cf\.m4'\)", f"include(`{CF_M4}')", mc_text)


def m4(mc_path, cwd=None):
    return subprocess.run(["m4", str(mc_path)], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def build_cf(directory, name, mc_text, our_tree=True):
    """Write name.mc (its include line pointed at our cf.m4 unless
    our_tree is false), run m4 over it and write name.cf beside it, mode
    0644; the .cf's path."""
    directory = pathlib.Path(directory)
    mc = directory / f"{name}.mc"
    mc.write_text(point_at_our_tree(mc_text) if our_tree else mc_text)
    r = m4(mc)
    assert r.returncode == 0, r.stderr
    cf = directory / f"{name}.cf"
    cf.write_text(r.stdout)
    cf.chmod(0o644)
    return cf


def makemap(path, text, mode=0o644):
    """Build path.db (hash) with our makemap, mode 0644: readable by
    RunAsUser (the sessions and queue runs read the maps as that user),
    or mode (0600 for secrets, which are read before the drop)."""
    path = pathlib.Path(path)
    r = subprocess.run([str(BUILD / "makemap"), "hash", str(path)],
                       input=text, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    path.with_name(path.name + ".db").chmod(mode)


def access_daemon(daemon, directory, entries, features="", options=()):
    """A daemon whose configuration has FEATURE(access_db) with entries
    (makemap input) in directory, which RunAsUser must be able to read;
    features: .mc lines that follow it (FEATURE(delay_checks) and the
    like); options: -O options of the daemon."""
    directory = pathlib.Path(directory)
    db = directory / "access"
    makemap(db, entries)
    directory.chmod(0o755)
    cf = build_cf(directory, "a", HEAD +
                  f"define(`confTO_IDENT', `0')dnl\n"
                  f"FEATURE(`access_db', `hash -T<TMPF> {db}')dnl\n"
                  f"{features}MAILER(`local')dnl\nMAILER(`smtp')dnl\n")
    return daemon(cf=str(cf), options=options)


def read_cf(text):
    """The V D C F K O M lines of a .cf, continuation lines joined, as a
    dict of what each kind defines."""
    lines, cur = [], None
    for raw in text.splitlines():
        if raw[:1] in (" ", "\t") and cur is not None:
            cur += " " + raw.strip()
            continue
        if cur is not None:
            lines.append(cur)
        cur = raw
    if cur is not None:
        lines.append(cur)
    cf = {"D": {}, "C": {}, "F": {}, "K": {}, "O": [], "M": {}}
    for line in lines:
        if not line or line[0] == "#":
            continue
        kind, rest = line[0], line[1:]
        if kind in "DCF":
            if rest.startswith("{"):
                name, _, body = rest[1:].partition("}")
            else:
                name, body = rest[:1], rest[1:]
            if kind == "D":
                cf["D"][name] = body
            elif kind == "C":
                cf["C"].setdefault(name, set()).update(body.split())
            else:
                cf["F"].setdefault(name, set()).add(body.strip())
        elif kind == "K":
            name, _, spec = rest.partition(" ")
            cf["K"][name] = spec.strip()
        elif kind == "O":
            name, _, value = rest.strip().partition("=")
            cf["O"].append((name.strip(), value.strip()))
        elif kind == "M":
            name, _, fields = rest.partition(",")
            m = {}
            for f in re.split(r",\s*(?=[A-Za-z]=)", fields.strip()):
                key, _, val = f.partition("=")
                m[key.strip()] = val.strip()
            cf["M"][name.strip()] = m
    return cf
