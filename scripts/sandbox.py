#!/usr/bin/python3
"""The sandbox fleet: N simulated Cosmos nodes on loopback, each behind its own real sshd.

One implementation for `make demo` and for the tests.

    sandbox.py build-versions --out DIR [--versions v1,v2,v2.1,v3,broken]
    sandbox.py up --dir DIR [--nodes 4 (at most 254)] [--validators 2] [--agent PATH] [--no-chain] [--shared-key a,b]
                  [--run-prefix NAME] [--versions LIST] [--our-power PERCENT] [--other-validators N]
                  [--catch-up-speed N] [--block-interval D]
    sandbox.py down --dir DIR
    sandbox.py show --dir DIR
    sandbox.py start-node --dir DIR NAME...        (again, after a stop or an exit; waits for its RPC)
    sandbox.py stop-node --dir DIR NAME... [--kill]
    sandbox.py propose --dir DIR NAME {HEIGHT | +BLOCKS} [--info INFO]   (a governance plan for the whole chain)
    sandbox.py chain --dir DIR                      (the chain's state, validators and who is up)

Every sandbox is ONE simulated chain (docs/sandbox.md): its nodes follow DIR's run folder chain/; our validators
hold --our-power percent of the voting power (default 50), simulated validators of other operators the rest.

`up` writes DIR/sandbox.json (the manifest: every node's address, port, home, pids), DIR/client_key,
DIR/known_hosts (the real host keys) and DIR/inventory.ini (Ansible INI): the operator's side, which may
sit in a private checkout. What the node user must reach (each node's sshd files and home, the mockchaind
releases, a copy of the --agent binary) goes into a fresh 0755 run folder, /tmp/fleet-sandbox.XXXXXXXX
(FLEET_SANDBOX_TMP chooses another parent, --run-prefix another name), recorded in the manifest as
`run_root`. `down` stops every process it started, by recorded PID and process group, checks that none
is left and removes the run folder.
Only the Python 3 standard library and OpenSSH (sshd, ssh-keygen) are used.
"""

import argparse
import contextlib
import fcntl
import hashlib
import importlib.machinery
import importlib.util
import io
import json
import os
import pwd
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
MOCKCHAIND_SOURCE = os.path.join(HERE, "mockchaind.py")
SSHD = "/usr/sbin/sshd"
SFTP_SERVER = "/usr/lib/openssh/sftp-server"
SANDBOX_USER = "fleetsbx"
SSH_PORT = 22022
RPC_PORT = 26657
DAEMON_NAME = "mockchaind"
# One 127.A.B.0/24 block holds every node (.1 to .254).
MAX_NODES = 254
# Processes started or waited for at once: starting them is mostly waiting (exec, key loading, imports).
WORKERS = 32


def die(msg):
    sys.stderr.write(f"sandbox: {msg}\n")
    sys.exit(1)


def require_tools():
    missing = [p for p in (SSHD, SFTP_SERVER, shutil.which("ssh-keygen") or "ssh-keygen") if not os.path.exists(p)]
    if missing:
        die(f"missing {', '.join(missing)}: install the Debian packages openssh-server and openssh-client")


# MARK: - release files


DEFAULT_VERSIONS = "v1,v2,v2.1,v3,broken"
# Voting power of the whole validator set (ours and the other operators'), as integers like CometBFT's.
TOTAL_POWER = 10000


def upgrade_handlers(version):
    """The upgrade names release `version` has handlers for: vX (and its patches vX.Y) handles v2 … vX, so a
    patch release runs wherever its major runs and a later major runs past the earlier upgrades."""
    match = re.fullmatch(r"v(\d+)(\.\d+)*", version)
    names = [f"v{k}" for k in range(2, int(match.group(1)) + 1)] if match else []
    return names + ([version] if version not in names else [])


def is_broken(version):
    return version == "broken" or version.startswith("broken-")


def build_versions(out, versions):
    """Writes out/<v>/mockchaind for each version: distinct files with distinct sha256. `broken` (or
    `broken-*`) is a release that fails at start."""
    with open(MOCKCHAIND_SOURCE) as f:
        source = f.read()
    result = {}
    for version in versions:
        text = source.replace('VERSION = "dev"', f'VERSION = "{version}"', 1)
        text = text.replace("HANDLES = []", f"HANDLES = {upgrade_handlers(version)!r}", 1)
        if is_broken(version):
            text = text.replace("BROKEN = False", "BROKEN = True", 1)
        folder = os.path.join(out, version)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, DAEMON_NAME)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
        result[version] = {"path": path, "sha256": hashlib.sha256(text.encode()).hexdigest()}
    return result


# MARK: - users and permissions


def node_user():
    """The login user of every sandbox node: a dedicated /bin/sh user when we are root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--create-home", "--home-dir", f"/var/lib/{SANDBOX_USER}", "--shell", "/bin/sh", SANDBOX_USER],
            check=True,
        )
        # useradd leaves '!' (locked); with UsePAM no, sshd refuses locked accounts.
        subprocess.run(["usermod", "-p", "*", SANDBOX_USER], check=True)
    return SANDBOX_USER


def unreachable_parent(path):
    """The first folder from / down to `path` that others cannot search, or None."""
    p, parents = os.path.abspath(path), []
    while True:
        parents.append(p)
        if p == "/":
            break
        p = os.path.dirname(p)
    for p in reversed(parents):
        st = os.stat(p)
        if not st.st_mode & 0o001:
            return p, st.st_mode & 0o777
    return None


def make_run_root(user, prefix):
    """A fresh 0755 folder the node user can reach, whatever the mode of the checkout and of --dir.

    As root the nodes run as `user`, so every parent must be searchable by others; a non-root sandbox runs
    as its own user and only needs the folder itself.
    """
    parent = os.environ.get("FLEET_SANDBOX_TMP") or "/tmp"
    if not os.path.isdir(parent):
        die(f"{parent} (FLEET_SANDBOX_TMP) is not a folder")
    if os.geteuid() == 0:
        blocked = unreachable_parent(parent)
        if blocked:
            die(f"{blocked[0]} is not searchable by others (mode {oct(blocked[1])}); the node user {user} "
                f"cannot reach the sandbox's run folder under {parent}. Set FLEET_SANDBOX_TMP to a folder "
                f"every user can reach")
    run_root = tempfile.mkdtemp(prefix=prefix + ".", dir=parent)
    os.chmod(run_root, 0o755)
    return run_root


def install_agent(run_root, agent):
    """Copies the --agent binary into the run folder: the build folder may be private to the operator."""
    source = os.path.abspath(agent)
    if not os.access(source, os.X_OK):
        die(f"--agent {source} is not an executable file")
    folder = os.path.join(run_root, "bin")
    os.makedirs(folder, exist_ok=True)
    os.chmod(folder, 0o755)
    target = os.path.join(folder, os.path.basename(source))
    shutil.copy2(source, target)
    os.chmod(target, 0o755)
    return target


# MARK: - addresses


# Subnets picked by the sandboxes of this machine: one file per 127.A.B block, written under an exclusive lock on
# .lock, so two `up`s at once never pick the same block before either sshd has bound it. A claim lasts
# SUBNET_CLAIM_GRACE seconds, after which the block is free again once nothing listens on it (an `up` that died,
# a `down` that never ran); `down` removes its claim. FLEET_SANDBOX_CLAIMS chooses another folder (tests).
SUBNET_CLAIMS = "/tmp/fleet-sandbox-subnets"
SUBNET_CLAIM_GRACE = 600


def subnet_claims_folder():
    folder = os.environ.get("FLEET_SANDBOX_CLAIMS") or SUBNET_CLAIMS
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder)
        os.chmod(folder, 0o1777)  # every user's sandboxes share the loopback, so they share the claims
    return folder


@contextlib.contextmanager
def subnet_claims_lock():
    folder = subnet_claims_folder()
    path = os.path.join(folder, ".lock")
    while True:  # no O_CREAT on another user's file in a sticky folder (fs.protected_regular refuses it)
        with contextlib.suppress(FileNotFoundError):
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            break
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            break
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(fd)


def subnet_in_use(subnet):
    probe = socket.socket()
    try:
        probe.bind((f"{subnet}.1", SSH_PORT))
        return False
    except OSError:
        return True
    finally:
        probe.close()


def pick_subnet(requested):
    """A 127.A.B block no other sandbox uses or has just picked (claimed under a lock), or `requested` as given."""
    if requested:
        return requested
    rng = random.Random()
    with subnet_claims_lock() as folder:
        for _ in range(50):
            subnet = f"127.{rng.randint(100, 199)}.{rng.randint(0, 255)}"
            claim = os.path.join(folder, subnet)
            with contextlib.suppress(FileNotFoundError):
                if time.time() - os.stat(claim).st_mtime < SUBNET_CLAIM_GRACE:
                    continue
            if subnet_in_use(subnet):
                continue
            try:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(claim)  # a stale claim
                fd = os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            except OSError:
                continue  # another user's stale claim, which the folder's sticky bit keeps
            os.write(fd, f"{os.getpid()}\n".encode())
            os.close(fd)
            return subnet
    die("no free 127.x.y.0/24 block found for the sandbox")


def release_subnet(subnet):
    """Removes the claim on `subnet` once its sandbox is down (nothing listens on it any more)."""
    if not subnet or subnet_in_use(subnet):
        return
    with subnet_claims_lock() as folder, contextlib.suppress(OSError):
        os.unlink(os.path.join(folder, subnet))


def wait_banner(host, port, deadline):
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5) as s:
                s.settimeout(1)
                if s.recv(64).startswith(b"SSH-"):
                    return True
        except OSError:
            time.sleep(0.02)
    return False


def wait_rpc(host, port, deadline):
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.02)
    return False


# MARK: - up


SSHD_CONFIG = """\
Port {port}
ListenAddress {host}
HostKey {dir}/ssh_host_ed25519_key
PidFile {dir}/sshd.pid
AuthorizedKeysFile {dir}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
StrictModes no
Subsystem sftp {sftp}
MaxStartups 200:30:400
MaxSessions 64
LogLevel VERBOSE
PrintMotd no
"""


def node_names(count, validators):
    sentries = count - validators
    names = [(f"sentry-{i + 1}", "sentry") for i in range(sentries)]
    names += [(f"validator-{i + 1}", "validator") for i in range(validators)]
    return names


class ReleaseModule:
    """A mockchaind release loaded once as a module, so `init` runs in this process: one Python start-up
    for the whole sandbox instead of one per node (200 nodes: seconds instead of minutes on 2 cores)."""

    def __init__(self, path):
        self.path = path
        loader = importlib.machinery.SourceFileLoader("mockchaind_release", path)
        spec = importlib.util.spec_from_loader(loader.name, loader)
        self.module = importlib.util.module_from_spec(spec)
        loader.exec_module(self.module)
        self.lock = threading.Lock()  # init prints its result: stdout is redirected, one call at a time

    def init(self, argv):
        with self.lock, contextlib.redirect_stdout(io.StringIO()):
            code = self.module.cmd_init(argv)
        if code:
            die(f"mockchaind init {' '.join(argv)} exited {code}")


def prepare_node(run_root, index, name, role, subnet, user, client_pub, release, args):
    ndir = os.path.join(run_root, "nodes", name)
    os.makedirs(ndir, exist_ok=True)
    host = f"{subnet}.{index + 1}"
    key = os.path.join(ndir, "ssh_host_ed25519_key")
    if not os.path.exists(key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key], check=True)
    with open(os.path.join(ndir, "authorized_keys"), "w") as f:
        f.write(client_pub)
    with open(os.path.join(ndir, "sshd_config"), "w") as f:
        f.write(SSHD_CONFIG.format(port=SSH_PORT, host=host, dir=ndir, sftp=SFTP_SERVER))

    home = os.path.join(ndir, "home")
    cosmovisor = os.path.join(home, "cosmovisor")
    genesis_bin = os.path.join(cosmovisor, "genesis", "bin")
    os.makedirs(genesis_bin, exist_ok=True)
    os.makedirs(os.path.join(cosmovisor, "upgrades"), exist_ok=True)
    shutil.copy2(release.path, os.path.join(genesis_bin, DAEMON_NAME))
    current = os.path.join(cosmovisor, "current")
    if not os.path.lexists(current):
        os.symlink("genesis", current)
    release.init([name, "--home", home, "--rpc-laddr", f"{host}:{RPC_PORT}", "--block-interval", args.block_interval,
                  "--chain-dir", os.path.join(run_root, "chain")])
    with open(os.path.join(ndir, "ssh_host_ed25519_key.pub")) as f:
        host_pub = f.read().split()
    return {
        "name": name,
        "role": role,
        "host": host,
        "port": SSH_PORT,
        "dir": ndir,
        "home": home,
        "rpc": f"http://{host}:{RPC_PORT}",
        "host_key": f"{host_pub[0]} {host_pub[1]}",
    }


def chown_tree(path, user):
    if os.geteuid() != 0:
        return
    pw = pwd.getpwnam(user)
    for dirpath, dirnames, filenames in os.walk(path):
        for entry in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
            os.lchown(entry, pw.pw_uid, pw.pw_gid)


def check_sshd_config(node):
    """`sshd -t` on one node's config: every node's differs only in its paths and address."""
    config = os.path.join(node["dir"], "sshd_config")
    check = subprocess.run([SSHD, "-t", "-f", config], capture_output=True, text=True)
    if check.returncode != 0:
        die(f"{node['name']}: sshd rejected {config}: {check.stderr.strip()}")


def start_sshd(node):
    config = os.path.join(node["dir"], "sshd_config")
    log = os.path.join(node["dir"], "sshd.log")
    # -D keeps sshd in the foreground so its PID is ours to stop; a new session keeps it out of our group.
    proc = subprocess.Popen(
        [SSHD, "-D", "-f", config, "-E", log],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    node["sshd_pid"] = proc.pid


def node_command(node, manifest):
    binary = os.path.join(node["home"], "cosmovisor", "current", "bin", DAEMON_NAME)
    chain_args = ["start", "--home", node["home"]]
    if manifest.get("agent"):
        return [manifest["agent"], "run"] + chain_args, "agent"
    return [binary] + chain_args, "chain"


def start_chain(node, manifest, user):
    argv, kind = node_command(node, manifest)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": node["home"],
        "DAEMON_HOME": node["home"],
        "DAEMON_NAME": DAEMON_NAME,
        "DAEMON_RESTART_AFTER_UPGRADE": "true",
        "UNSAFE_SKIP_BACKUP": "true",
        "COSMOVISOR_COLOR_LOGS": "false",
        "DAEMON_POLL_INTERVAL": "300ms",
        "NODE_AGENT_RPC": node["rpc"],
    }
    if os.environ.get("FLEET_TEST_RUN"):  # scripts/test.sh finds what its run left behind by this mark
        env["FLEET_TEST_RUN"] = os.environ["FLEET_TEST_RUN"]
    log = open(os.path.join(node["dir"], "node.log"), "ab")
    kwargs = {}
    if os.geteuid() == 0:
        kwargs["user"] = user
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
        cwd=node["home"], start_new_session=True, **kwargs,
    )
    log.close()
    node["chain_pid"] = proc.pid
    node["process"] = kind
    return proc


def write_inventory(root, manifest):
    lines = ["# Generated by scripts/sandbox.py: the sandbox fleet as an Ansible INI inventory.", ""]
    for group, role in (("sentries", "sentry"), ("validators", "validator")):
        lines.append(f"[{group}]")
        for node in manifest["nodes"]:
            if node["role"] == role:
                lines.append(
                    f"{node['name']} ansible_host={node['host']} ansible_port={node['port']} "
                    f"daemon_home={node['home']} node_rpc={node['rpc']}"
                )
        lines.append("")
    lines += [
        "[all:vars]",
        f"ansible_user={manifest['user']}",
        f"ansible_ssh_private_key_file={manifest['client_key']}",
        f"daemon_name={DAEMON_NAME}",
    ]
    if manifest.get("agent"):
        lines.append(f"agent_path={manifest['agent']}")
    lines.append("")
    path = os.path.join(root, "inventory.ini")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def up(args):
    """Starts the sandbox; on any failure everything already started is stopped and the run folder removed."""
    root = os.path.abspath(args.dir)
    if os.path.exists(os.path.join(root, "sandbox.json")):
        die(f"{root} already holds a sandbox; run `sandbox.py down --dir {root}` first")
    try:
        return start(args)
    except BaseException:
        if os.path.exists(os.path.join(root, "sandbox.json")):
            down_root(root)
        raise


def start(args):
    if os.environ.get("FLEET_TEST_TIER") == "fast":
        die("`make test-fast` starts no sshd: a suite that needs the sandbox must be tagged .sshd")
    require_tools()
    root = os.path.abspath(args.dir)
    os.makedirs(root, exist_ok=True)
    user = node_user()
    started = time.time()
    run_root = make_run_root(user, args.run_prefix)
    # Saved before anything else, so `down` always finds the run folder to remove.
    manifest = {"root": root, "run_root": run_root, "user": user, "nodes": []}
    save(root, manifest)
    agent = install_agent(run_root, args.agent) if args.agent else None

    releases = build_versions(os.path.join(run_root, "releases"), args.versions.split(","))
    genesis = releases[args.versions.split(",")[0]]["path"]

    client_key = os.path.join(root, "client_key")
    if not os.path.exists(client_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fleet-sandbox", "-f", client_key], check=True)
    with open(client_key + ".pub") as f:
        client_pub = f.read()

    subnet = pick_subnet(args.subnet)
    names = node_names(args.nodes, args.validators if args.validators is not None else args.nodes // 2)
    release = ReleaseModule(genesis)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        nodes = list(pool.map(
            lambda item: prepare_node(run_root, item[0], item[1][0], item[1][1], subnet, user, client_pub, release, args),
            enumerate(names),
        ))

    # Nodes that share a consensus key (double-sign scenarios): copy the first one's key to the others.
    if args.shared_key:
        sharing = args.shared_key.split(",")
        source = next(n for n in nodes if n["name"] == sharing[0])
        for node in nodes:
            if node["name"] in sharing[1:]:
                shutil.copy2(os.path.join(source["home"], "config", "priv_validator_key.json"),
                             os.path.join(node["home"], "config", "priv_validator_key.json"))
    for node in nodes:
        with open(os.path.join(node["home"], "config", "priv_validator_key.json")) as f:
            node["consensus_address"] = json.load(f)["address"]
        chown_tree(node["home"], user)
    chain = make_chain(run_root, nodes, release, subnet, args)
    chown_tree(chain["dir"], user)

    with open(os.path.join(root, "known_hosts"), "w") as f:
        for node in nodes:
            f.write(f"[{node['host']}]:{node['port']} {node['host_key']}\n")

    manifest.update({
        "subnet": subnet,
        "client_key": client_key,
        "known_hosts": os.path.join(root, "known_hosts"),
        "daemon_name": DAEMON_NAME,
        "agent": agent,
        "releases": releases,
        "chain": chain,
        "nodes": nodes,
    })
    manifest["inventory"] = write_inventory(root, manifest)
    save(root, manifest)  # saved before anything starts, so `down` can always clean up

    raise_open_files_limit()
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", exist_ok=True)
    check_sshd_config(nodes[0])
    # Started from a pool (each start is an exec and a config read), the manifest saved after each kind:
    # a failure in between is cleaned up by `down`, which also finds processes by the run folder's path.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(start_sshd, nodes))
        save(root, manifest)
        if not args.no_chain:
            list(pool.map(lambda node: start_chain(node, manifest, user), nodes))
            save(root, manifest)
    # Every process gets its time to start: the machine starts them all at once, whatever its cores.
    deadline = time.time() + 60 + 0.5 * len(nodes)  # a deadline only: generous for a loaded machine
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        problems = [p for p in pool.map(lambda node: node_problem(node, args, deadline), nodes) if p]
    if problems:
        die(problems[0] + (f"\n(and {len(problems) - 1} more nodes)" if len(problems) > 1 else ""))
    manifest["started_in_seconds"] = round(time.time() - started, 3)
    save(root, manifest)
    if args.json:
        print(json.dumps(manifest, indent=2))
    else:
        print(f"sandbox: {len(nodes)} nodes up in {manifest['started_in_seconds']} s at {subnet}.0/24 "
              f"(inventory {manifest['inventory']})")
    return 0


def make_chain(run_root, nodes, release, subnet, args):
    """The sandbox's one chain: run_root/chain with chain.json (the validator set), state.json, chain.lock and
    nodes/. Our validators (distinct consensus keys of the validator nodes) share --our-power percent of the
    power evenly; --other-validators simulated validators of other operators share the rest."""
    folder = os.path.join(run_root, "chain")
    os.makedirs(os.path.join(folder, "nodes"), exist_ok=True)
    ours = []
    for node in nodes:
        if node["role"] == "validator" and node["consensus_address"] not in [v["address"] for v in ours]:
            with open(os.path.join(node["home"], "config", "priv_validator_key.json")) as f:
                key = json.load(f)
            ours.append({"name": node["name"], "address": key["address"], "pub_key": key["pub_key"]})
    percent = args.our_power if ours else 0.0
    ours_total = round(TOTAL_POWER * percent / 100)
    others = [] if ours_total == TOTAL_POWER else [
        release.module.new_priv_validator_key(hashlib.sha256(f"{subnet}/other-{i + 1}".encode()).digest())
        for i in range(max(1, args.other_validators))
    ]
    validators = []
    for group, total, simulated in ((ours, ours_total, False), (others, TOTAL_POWER - ours_total, True)):
        for i, member in enumerate(group):
            power = total // len(group) + (1 if i < total % len(group) else 0)
            validators.append({
                "name": member.get("name", f"other-{i + 1}"), "address": member["address"],
                "pub_key": member["pub_key"], "power": power, "simulated": simulated,
            })
    config = {
        "chain_id": "mockchain-1", "block_interval": args.block_interval, "catch_up_speed": args.catch_up_speed,
        "our_power_percent": percent, "validators": validators,
    }
    with open(os.path.join(folder, "chain.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(folder, "state.json"), "w") as f:
        json.dump({"height": 0, "time": 0, "plan": None, "applied": []}, f)
    open(os.path.join(folder, "chain.lock"), "a").close()
    for node in nodes:
        node["voting_power"] = sum(v["power"] for v in validators if v["address"] == node["consensus_address"])
    return {"dir": folder, "our_power_percent": percent, "total_power": TOTAL_POWER, "validators": validators}


def node_problem(node, args, deadline):
    """Why `node` is not up by `deadline` (with its log's end), or None."""
    if not wait_banner(node["host"], node["port"], deadline):
        return (f"{node['name']}: sshd did not answer on {node['host']}:{node['port']}; its log ends with:\n"
                + log_tail(os.path.join(node["dir"], "sshd.log")))
    if not args.no_chain and not wait_rpc(node["host"], RPC_PORT, deadline):
        return (f"{node['name']}: the node did not serve {node['rpc']}; its log ends with:\n"
                + log_tail(os.path.join(node["dir"], "node.log")))
    return None


def raise_open_files_limit():
    """The soft limit on open files up to the hard one, for the nodes started from here (sshd keeps one per
    connection, a node one per RPC client): a 200-node sandbox must not depend on the login's 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))


def log_tail(path, lines=15):
    """The last lines of a log, for an error message (the run folder is removed after a failed start)."""
    try:
        with open(path, "rb") as f:
            text = f.read()[-4096:].decode(errors="replace")
    except OSError as error:
        return f"  ({path}: {error.strerror})"
    return "\n".join("  " + line for line in text.splitlines()[-lines:]) or f"  ({path} is empty)"


def save(root, manifest):
    tmp = os.path.join(root, "sandbox.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2)
    os.replace(tmp, os.path.join(root, "sandbox.json"))


# MARK: - down


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stop_group(pid, grace=3.0):
    """TERM the process group led by pid, then KILL what is left after grace seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.time() + grace
        while time.time() < deadline and alive(pid):
            time.sleep(0.02)
        if not alive(pid):
            return


def ancestors():
    """This process and its parents: they may mention the sandbox root but are not the sandbox's."""
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return pids


def mentions(cmdline, root):
    """Whether `cmdline` names `root` or a path under it (not merely a longer name starting the same)."""
    start = cmdline.find(root)
    while start >= 0:
        end = start + len(root)
        if end == len(cmdline) or cmdline[end] in "/ ":
            return True
        start = cmdline.find(root, start + 1)
    return False


def processes_under(root):
    """Every process whose command line mentions the sandbox root (strays included)."""
    found, mine = [], ancestors()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in mine:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if mentions(cmdline, root) and alive(int(entry)):
            found.append((int(entry), cmdline.strip()))
    return found


def down_root(root):
    path = os.path.join(root, "sandbox.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        manifest = json.load(f)
    pids = []
    for node in manifest.get("nodes", []):
        pids += [node.get("chain_pid"), node.get("sshd_pid")]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(stop_group, [p for p in pids if p]))
    # Anything still running from this sandbox (a child that left its group, an sshd session) goes too.
    roots = [root] + ([manifest["run_root"]] if manifest.get("run_root") else [])
    for where in roots:
        for pid, _ in processes_under(where):
            stop_group(pid, grace=1.0)
    left = [found for where in roots for found in processes_under(where)]
    os.replace(path, os.path.join(root, "sandbox.down.json"))
    if not left:
        release_subnet(manifest.get("subnet"))
    if not left and manifest.get("run_root"):
        shutil.rmtree(manifest["run_root"], ignore_errors=True)
    return left


def down(args):
    root = os.path.abspath(args.dir)
    if not os.path.exists(os.path.join(root, "sandbox.json")):
        print(f"sandbox: nothing running at {root}")
        return 0
    left = down_root(root)
    if left:
        for pid, cmd in left:
            sys.stderr.write(f"sandbox: still running: {pid} {cmd}\n")
        return 1
    print(f"sandbox: stopped; no process left under {root}")
    return 0


def show(args):
    root = os.path.abspath(args.dir)
    path = os.path.join(root, "sandbox.json")
    if not os.path.exists(path):
        die(f"no sandbox at {root}")
    with open(path) as f:
        print(f.read())
    return 0


# MARK: - one node, the chain


def load_manifest(root):
    path = os.path.join(os.path.abspath(root), "sandbox.json")
    if not os.path.exists(path):
        die(f"no sandbox at {os.path.abspath(root)}")
    with open(path) as f:
        return json.load(f)


def manifest_node(manifest, name):
    node = next((n for n in manifest["nodes"] if n["name"] == name), None)
    if node is None:
        die(f"no node named {name} in the sandbox (nodes: {', '.join(n['name'] for n in manifest['nodes'])})")
    return node


def start_node(args):
    """Starts the named nodes' chain processes again (the command `up` ran) and waits for each one's RPC;
    a node that exits first fails the command with its exit status and log."""
    manifest = load_manifest(args.dir)
    started = []
    for name in args.names:
        node = manifest_node(manifest, name)
        if node.get("chain_pid") and alive(node["chain_pid"]):
            die(f"{name} already runs (pid {node['chain_pid']})")
        log_path = os.path.join(node["dir"], "node.log")
        offset = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        proc = start_chain(node, manifest, manifest["user"])
        save(manifest["root"], manifest)
        deadline = time.time() + 20
        while proc.poll() is None and time.time() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((node["host"], RPC_PORT), timeout=0.5):
                break
            time.sleep(0.02)
        if proc.poll() is not None:
            with open(log_path, "rb") as f:
                f.seek(offset)
                output = f.read()[-4096:].decode(errors="replace")
            die(f"{name}: the node exited at start with status {proc.returncode}:\n{output.rstrip()}")
        if time.time() >= deadline:
            die(f"{name}: the node did not serve {node['rpc']} within 20 s")
        started.append({"name": name, "chain_pid": proc.pid})
    print(json.dumps(started))
    return 0


def stop_node(args):
    """Stops the named nodes' chain processes (TERM, then KILL after a grace; --kill: KILL at once)."""
    manifest = load_manifest(args.dir)
    for name in args.names:
        node = manifest_node(manifest, name)
        pid = node.get("chain_pid")
        if pid and alive(pid):
            if args.kill:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                deadline = time.time() + 5
                while alive(pid) and time.time() < deadline:
                    time.sleep(0.02)
            else:
                stop_group(pid)
            if alive(pid):
                die(f"{name}: process {pid} did not stop")
    save(manifest["root"], manifest)
    return 0


def genesis_release(manifest):
    return next(iter(manifest["releases"].values()))["path"]


def propose(args):
    """A governance plan for the whole chain (`mockchaind propose-upgrade --chain`), as the node user."""
    manifest = load_manifest(args.dir)
    argv = [genesis_release(manifest), "propose-upgrade", args.name, args.height, "--chain",
            manifest["chain"]["dir"]]
    if args.info:
        argv += ["--info", args.info]
    kwargs = {"user": manifest["user"]} if os.geteuid() == 0 else {}
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


def chain_report(args):
    """The chain's state (height, plan, applied upgrades), its validators and which nodes are running."""
    manifest = load_manifest(args.dir)
    shared = ReleaseModule(genesis_release(manifest)).module.SharedChain(manifest["chain"]["dir"])
    state = shared.state()
    running = shared.running_records()
    report = {
        "height": state["height"],
        "plan": state["plan"],
        "applied": state["applied"],
        "stalled": bool(state.get("stalled_at")),
        "total_power": shared.total,
        "validators": [
            dict(v, up=bool(v["simulated"]) or any(r["address"] == v["address"] for r in running))
            for v in shared.validators
        ],
        "running": [{"name": r["name"], "version": r["version"], "synced": r["synced"]} for r in running],
    }
    print(json.dumps(report, indent=2))
    return 0


def main():
    parser = argparse.ArgumentParser(prog="sandbox.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up")
    p_up.add_argument("--dir", required=True)
    p_up.add_argument("--nodes", type=int, default=4, help=f"1 to {MAX_NODES}")
    p_up.add_argument("--validators", type=int)
    p_up.add_argument("--versions", default=DEFAULT_VERSIONS, help="releases to build; the first is genesis")
    p_up.add_argument("--our-power", type=float, default=50.0,
                      help="percent of the voting power our validators hold together (default 50)")
    p_up.add_argument("--other-validators", type=int, default=3,
                      help="simulated validators of other operators, sharing the rest of the power (default 3)")
    p_up.add_argument("--catch-up-speed", type=int, default=4,
                      help="blocks per block interval a node behind the chain takes (default 4, at least 2)")
    p_up.add_argument("--subnet", help="127.A.B to use instead of a random free block")
    p_up.add_argument("--agent", help="node-agent binary to supervise each node (default: mockchaind runs alone)")
    p_up.add_argument("--no-chain", action="store_true", help="start only the sshd of each node")
    p_up.add_argument("--shared-key", help="comma list of nodes that share the first one's consensus key")
    p_up.add_argument("--block-interval", default="200ms")
    p_up.add_argument("--run-prefix", default="fleet-sandbox",
                      help="name prefix of the run folder (make demo: fleet-demo, so test runs can tell it apart)")
    p_up.add_argument("--json", action="store_true")
    p_down = sub.add_parser("down")
    p_down.add_argument("--dir", required=True)
    p_show = sub.add_parser("show")
    p_show.add_argument("--dir", required=True)
    p_build = sub.add_parser("build-versions")
    p_build.add_argument("--out", required=True)
    p_build.add_argument("--versions", default=DEFAULT_VERSIONS)
    for name in ("start-node", "stop-node"):
        p_node = sub.add_parser(name)
        p_node.add_argument("--dir", required=True)
        p_node.add_argument("names", nargs="+", metavar="NAME")
        if name == "stop-node":
            p_node.add_argument("--kill", action="store_true", help="SIGKILL at once (a crash)")
    p_propose = sub.add_parser("propose")
    p_propose.add_argument("--dir", required=True)
    p_propose.add_argument("name")
    p_propose.add_argument("height", help="the plan's height, or +N: N blocks past the chain's height")
    p_propose.add_argument("--info", default="")
    p_chain = sub.add_parser("chain")
    p_chain.add_argument("--dir", required=True)
    args = parser.parse_args()
    if args.command == "up":
        if not 1 <= args.nodes <= MAX_NODES:
            die(f"--nodes {args.nodes}: a sandbox has 1 to {MAX_NODES} nodes (one 127.x.y.0/24 block)")
        if not 0 <= args.our_power <= 100:
            die(f"--our-power {args.our_power}: a percentage from 0 to 100")
        return up(args)
    commands = {"start-node": start_node, "stop-node": stop_node, "propose": propose, "chain": chain_report}
    if args.command in commands:
        return commands[args.command](args)
    if args.command == "down":
        return down(args)
    if args.command == "show":
        return show(args)
    print(json.dumps(build_versions(os.path.abspath(args.out), args.versions.split(",")), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
