#!/usr/bin/python3
"""mockchaind: a small simulated Cosmos SDK node for the sandbox fleet and the tests.

It makes blocks at a fixed interval, keeps its height in <home>/data, serves a CometBFT-shaped
/status and /abci_query for x/upgrade's current plan (protobuf, as the SDK answers it), honours
--halt-height, and at the height of a governance plan it cannot handle it writes
data/upgrade-info.json and stops exactly as x/upgrade does (see docs/cosmovisor-spec.md §6).

A node whose config/node.json names a `chain_dir` follows the sandbox's one shared chain (see SharedChain and
docs/sandbox.md): blocks are committed only while validators holding > 2/3 of the voting power are up on a binary
that can make them. Without it, the node is a one-validator chain of its own, with all of the power.

Every version is a distinct file: scripts/sandbox.py build-versions stamps the constants below.
Only the Python 3 standard library is used.
"""

import base64
import contextlib
import fcntl
import hashlib
import http.server
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.parse

VERSION = "dev"  # stamped per release file
HANDLES = []  # upgrade names this binary has a handler for; stamped per release file
BROKEN = False  # stamped True for a release that fails at start (rollout tests)

UPGRADE_INFO = "upgrade-info.json"
PLAN_FILE = "mock-plan.json"  # the chain's pending governance plan (stands in for x/upgrade state)
HEIGHT_FILE = "height"
BLOCKS_LOG = "blocks.log"
APPLIED_FILE = "applied-upgrades"
CURRENT_PLAN_QUERY = "/cosmos.upgrade.v1beta1.Query/CurrentPlan"
# The shared chain's folder: chain.json (static), state.json (flock-guarded by chain.lock), nodes/<name>.{lock,json}.
CHAIN_CONFIG = "chain.json"
CHAIN_STATE = "state.json"
CHAIN_LOCK = "chain.lock"
CHAIN_NODES = "nodes"
SINGLE_NODE_POWER = 10


# MARK: - ed25519 (RFC 8032 reference arithmetic, key generation only)

_P = 2**255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % _P
    bb = (y1 + x1) * (y2 + x2) % _P
    cc = 2 * t1 * t2 * _D % _P
    dd = 2 * z1 * z2 % _P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _recover_x(y, sign):
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x & 1) != sign:
        x = _P - x
    return x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % _P)


def ed25519_public_key(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    x, y, z, _ = _mul(a, _G)
    zi = pow(z, _P - 2, _P)
    x, y = x * zi % _P, y * zi % _P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def consensus_address(pub):
    return hashlib.sha256(pub).digest()[:20].hex().upper()


def new_priv_validator_key(seed=None):
    seed = seed or os.urandom(32)
    pub = ed25519_public_key(seed)
    return {
        "address": consensus_address(pub),
        "pub_key": {"type": "tendermint/PubKeyEd25519", "value": base64.b64encode(pub).decode()},
        "priv_key": {"type": "tendermint/PrivKeyEd25519", "value": base64.b64encode(seed + pub).decode()},
    }


# MARK: - small helpers


def log(msg, level="INF"):
    sys.stdout.write(f"{level} {msg}\n")
    sys.stdout.flush()


def fail(msg, code=2):
    sys.stderr.write(f"Error: {msg}\n")
    sys.exit(code)


def write_atomic(path, data, mode=0o644):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def parse_duration(text):
    units = {"ms": 0.001, "s": 1.0, "m": 60.0}
    for suffix in ("ms", "s", "m"):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * units[suffix]
    return float(text)


def parse_args(argv, flags_with_values, bool_flags=()):
    """Parses `--flag value`, `--flag=value` and bare flags; returns (options, positionals)."""
    opts, pos, i = {}, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--"):
            name, eq, value = arg[2:].partition("=")
            if name in bool_flags:
                opts[name] = (value or "true") == "true"
            elif name in flags_with_values:
                if not eq:
                    i += 1
                    if i >= len(argv):
                        fail(f"flag --{name} needs a value")
                    value = argv[i]
                opts.setdefault(name, []).append(value)
            else:
                fail(f"unknown flag: --{name}")
        else:
            pos.append(arg)
        i += 1
    return opts, pos


def home_of(opts):
    home = (opts.get("home") or [os.environ.get("DAEMON_HOME") or os.path.expanduser("~/.mockchaind")])[-1]
    return os.path.abspath(home)


def read_json(path):
    try:
        with open(path, "rb") as f:
            return json.loads(f.read() or b"null")
    except FileNotFoundError:
        return None


def plan_json(name, height, info):
    # x/upgrade's exact shape: name, zero time, numeric height, info omitted when empty.
    doc = {"name": name, "time": "0001-01-01T00:00:00Z", "height": height}
    if info:
        doc["info"] = info
    return json.dumps(doc, separators=(",", ":")).encode()


# MARK: - state


class Chain:
    def __init__(self, home):
        self.home = home
        self.data = os.path.join(home, "data")
        self.config = os.path.join(home, "config")
        self.lock = threading.Lock()
        self.height = self._load_height()
        self.last_block_time = time.time()
        key = read_json(os.path.join(self.config, "priv_validator_key.json")) or {}
        self.address = key.get("address", "")
        self.pub_key = key.get("pub_key")
        node = read_json(os.path.join(self.config, "node.json")) or {}
        self.chain_id = node.get("chain_id", "mockchain-1")
        self.moniker = node.get("moniker", os.path.basename(home))
        self.catching_up = False  # the shared chain's block sync after a restart behind the chain
        self.voting_power = SINGLE_NODE_POWER
        self.shared = None  # the SharedChain this node follows, if any

    def current_plan(self):
        if self.shared:
            return self.shared.state()["plan"]
        return read_json(os.path.join(self.data, PLAN_FILE))

    def validators_document(self, query):
        args = urllib.parse.parse_qs(query)

        def number(key):
            text = (args.get(key) or [""])[-1].strip('"')
            return int(text) if text.isdigit() else None

        with self.lock:
            height = self.height
        if self.shared:
            return self.shared.validators_document(height, number("page"), number("per_page"))
        key = read_json(os.path.join(self.config, "priv_validator_key.json")) or {}
        mine = {"address": self.address, "pub_key": key.get("pub_key"), "voting_power": str(SINGLE_NODE_POWER),
                "proposer_priority": "0"}
        return validators_page([mine], height, number("page"), number("per_page"))

    def _load_height(self):
        height = 0
        try:
            with open(os.path.join(self.data, HEIGHT_FILE)) as f:
                height = int(f.read().strip() or 0)
        except FileNotFoundError:
            pass
        # A kill between the block log append and the height write must not lose a block.
        try:
            with open(os.path.join(self.data, BLOCKS_LOG), "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - 256))
                lines = f.read().splitlines()
                for line in reversed(lines):
                    parts = line.split()
                    if len(parts) >= 2 and parts[0].isdigit():
                        height = max(height, int(parts[0]))
                        break
        except FileNotFoundError:
            pass
        return height

    def commit(self, height, how=None, block_time=None):
        """Appends `height version ms [how]` to data/blocks.log (`how`, shared chain only: commit, follow or
        catchup), then writes data/height."""
        suffix = f" {how}" if how else ""
        with open(os.path.join(self.data, BLOCKS_LOG), "a") as f:
            f.write(f"{height} {VERSION} {int(time.time() * 1000)}{suffix}\n")
            f.flush()
        write_atomic(os.path.join(self.data, HEIGHT_FILE), f"{height}\n".encode())
        with self.lock:
            self.height = height
            self.last_block_time = block_time or time.time()

    def applied_upgrades(self):
        """(name, height) of every upgrade this node applied (data/applied-upgrades: `name height version`)."""
        found = []
        try:
            with open(os.path.join(self.data, APPLIED_FILE)) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) >= 2 and parts[-2].isdigit():
                        found.append((" ".join(parts[:-2]), int(parts[-2])))
        except FileNotFoundError:
            pass
        return found

    def record_applied(self, name, height):
        with open(os.path.join(self.data, APPLIED_FILE), "a") as f:
            f.write(f"{name} {height} {VERSION}\n")


def unknown_upgrade(applied, height):
    """The first (name, height) in `applied` at or below `height` that this binary has no handler for."""
    for name, at in applied:
        if at <= height and name not in HANDLES:
            return name, at
    return None


def refuse_wrong_app_hash(name, at, height):
    fail(
        f"error during handshake: error on replay: wrong app hash at height {height}: the chain applied upgrade "
        f'"{name}" at height {at}, which this binary ({VERSION}) does not know; run a release that handles it',
        1,
    )


class SharedChain:
    """The sandbox's one chain, a folder every node of the sandbox can write:

    * chain.json: chain_id, block_interval, catch_up_speed, and the validator set (address, pub_key, power, name,
      `simulated` for the other operators' validators, which are always up and upgrade at every plan's height);
    * state.json: height, time of the last block, the pending governance plan and the applied upgrades, replaced
      atomically and written only under an exclusive flock on chain.lock;
    * nodes/<name>.lock, held (flock) by a running node for its lifetime: a node killed by any signal is
      down at once; nodes/<name>.json, its record (address, handles, halt height, in sync).

    A block h is committed by whichever running node finds it due first, and only when the validators able
    to make h (up, in sync, not halted below h, with a handler for a plan due at h) hold > 2/3 of the power.
    """

    def __init__(self, path):
        self.dir = path
        self.config = read_json(os.path.join(path, CHAIN_CONFIG))
        if not self.config:
            fail(f"{os.path.join(path, CHAIN_CONFIG)} is missing: the node's chain_dir is not a sandbox chain")
        self.validators = self.config.get("validators", [])
        self.total = sum(int(v["power"]) for v in self.validators)
        self.interval = parse_duration(self.config.get("block_interval", "200ms"))
        self.catch_up_speed = max(2, int(self.config.get("catch_up_speed", 4)))
        self.liveness_fd = None

    @staticmethod
    def of(chain):
        node = read_json(os.path.join(chain.config, "node.json")) or {}
        return SharedChain(node["chain_dir"]) if node.get("chain_dir") else None

    def state(self):
        state = read_json(os.path.join(self.dir, CHAIN_STATE)) or {}
        state.setdefault("height", 0)
        state.setdefault("time", 0)
        state.setdefault("plan", None)
        state.setdefault("applied", [])
        return state

    def write_state(self, state):
        write_atomic(os.path.join(self.dir, CHAIN_STATE), json.dumps(state, sort_keys=True).encode())

    @contextlib.contextmanager
    def locked(self, blocking=True):
        """Yields True holding chain.lock exclusively; with blocking=False yields False when another holds it."""
        fd = os.open(os.path.join(self.dir, CHAIN_LOCK), os.O_RDONLY | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing releases the lock

    def power_of(self, address):
        return sum(int(v["power"]) for v in self.validators if v["address"] == address)

    # MARK: nodes

    def _node_path(self, name, ext):
        return os.path.join(self.dir, CHAIN_NODES, f"{name}.{ext}")

    def hold_liveness(self, name, wait=5.0):
        """Takes nodes/<name>.lock for this process's lifetime; refuses a second process on the same node."""
        os.makedirs(os.path.join(self.dir, CHAIN_NODES), exist_ok=True)
        fd = os.open(self._node_path(name, "lock"), os.O_RDONLY | os.O_CREAT, 0o644)
        deadline = time.time() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.liveness_fd = fd
                return
            except BlockingIOError:
                if time.time() >= deadline:
                    fail(f"another mockchaind runs as node {name} of chain {self.dir} (it holds {name}.lock)", 1)
                time.sleep(0.05)

    def write_record(self, record):
        write_atomic(self._node_path(record["name"], "json"), json.dumps(record).encode())

    def is_running(self, name):
        try:
            fd = os.open(self._node_path(name, "lock"), os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(fd)

    def running_records(self):
        folder = os.path.join(self.dir, CHAIN_NODES)
        records = []
        for entry in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if entry.endswith(".json"):
                record = read_json(os.path.join(folder, entry))
                if record and self.is_running(record["name"]):
                    records.append(record)
        return records

    # MARK: consensus

    @staticmethod
    def can_make(record, height, plan):
        if not record.get("synced") or record.get("halted"):
            return False
        if record.get("halt_height") and height >= record["halt_height"]:
            return False
        if plan and plan["height"] <= height and plan["name"] not in record.get("handles", []):
            return height in record.get("skips", [])
        return True

    def signing_power(self, height, state):
        """The voting power of validators that can make `height`: the simulated ones always can."""
        ours = {v["address"] for v in self.validators if not v.get("simulated")}
        able = {r["address"] for r in self.running_records() if r.get("address") in ours
                and self.can_make(r, height, state.get("plan"))}
        return sum(int(v["power"]) for v in self.validators if v.get("simulated") or v["address"] in able)

    def try_commit(self, height):
        """Commits `height` if it is due and > 2/3 of the power can make it. Returns (state, committed); the
        state is the chain's after the attempt, or None when another node holds the lock."""
        with self.locked(blocking=False) as held:
            if not held:
                return None, False
            state = self.state()
            now = time.time()
            if state["height"] != height - 1 or now < state["time"] + self.interval:
                return state, False
            if state.get("stalled_at") and now - state["stalled_at"] < self.interval:
                return state, False
            power = self.signing_power(height, state)
            if 3 * power <= 2 * self.total:
                if not state.get("stalled_at"):
                    log(f"no quorum for height {height}: validators able to make it hold {power} of {self.total} "
                        "voting power (> 2/3 needed); the chain waits", "ERR")
                state["stalled_at"] = now
                state["stalled_power"] = power
                self.write_state(state)
                return state, False
            plan = state.get("plan")
            if plan and plan["height"] <= height:
                state["applied"].append({"name": plan["name"], "height": height, "info": plan.get("info", "")})
                state["plan"] = None
            if state.pop("stalled_at", None):
                log(f"quorum back at height {height}: {power} of {self.total} voting power")
            state.pop("stalled_power", None)
            state["height"] = height
            state["time"] = now
            self.write_state(state)
            return state, True

    def propose(self, name, height, info, relative=False):
        """Sets the chain's plan (at `height`, or `height` blocks past the chain's height when `relative`,
        taken under the lock); returns the plan's height."""
        with self.locked():
            state = self.state()
            height += state["height"] if relative else 0
            if height <= state["height"]:
                fail(f"upgrade cannot be scheduled in the past: height {height} <= chain height {state['height']}", 1)
            state["plan"] = {"name": name, "height": height, "info": info}
            self.write_state(state)
            return height

    def validators_document(self, height, page, per_page):
        return validators_page(
            [{"address": v["address"], "pub_key": v.get("pub_key"), "voting_power": str(v["power"]),
              "proposer_priority": "0"} for v in self.validators],
            height, page, per_page,
        )


def validators_page(validators, height, page, per_page):
    """CometBFT's /validators: pages of `per_page` (default 30, at most 100); `total` counts all validators."""
    per_page = min(max(per_page or 30, 1), 100)
    pages = max(1, -(-len(validators) // per_page))
    page = page or 1
    if not 1 <= page <= pages:
        return {"jsonrpc": "2.0", "id": -1, "error": {
            "code": -32603, "message": "Internal error", "data": f"page should be within [1, {pages}] range, given {page}"}}
    chosen = validators[(page - 1) * per_page: page * per_page]
    return {"jsonrpc": "2.0", "id": -1, "result": {
        "block_height": str(height), "validators": chosen, "count": str(len(chosen)), "total": str(len(validators))}}


def status_document(chain, catching_up):
    with chain.lock:
        height, block_time = chain.height, chain.last_block_time
        catching_up = catching_up or chain.catching_up
    validator = {"address": chain.address, "voting_power": str(chain.voting_power)}
    if chain.pub_key:
        validator["pub_key"] = chain.pub_key
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(block_time)) + "Z"
    return {
        "jsonrpc": "2.0",
        "id": -1,
        "result": {
            "node_info": {"moniker": chain.moniker, "network": chain.chain_id, "version": "0.38.17"},
            "sync_info": {
                "latest_block_height": str(height),
                "latest_block_time": stamp,
                "catching_up": catching_up,
            },
            "validator_info": validator,
            "application_version": VERSION,
        },
    }


# MARK: - abci_query: x/upgrade's CurrentPlan, protobuf-encoded as the SDK answers it


def _varint(value):
    value &= (1 << 64) - 1  # negative int64 values take ten bytes, as in Go
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field_varint(number, value):
    return _varint(number << 3) + _varint(value)


def _field_bytes(number, data):
    return _varint(number << 3 | 2) + _varint(len(data)) + data


# google.protobuf.Timestamp of Go's zero time (0001-01-01T00:00:00Z): x/upgrade always sends the deprecated
# `time` field, non-nullable, with this value.
ZERO_TIME_SECONDS = -62135596800


def current_plan_response(plan):
    """QueryCurrentPlanResponse{plan = 1} with Plan{name = 1, time = 2, height = 3, info = 4}; b"" for no plan."""
    if not plan:
        return b""
    body = _field_bytes(1, plan["name"].encode())
    body += _field_bytes(2, _field_varint(1, ZERO_TIME_SECONDS))
    body += _field_varint(3, int(plan["height"]))
    if plan.get("info"):
        body += _field_bytes(4, plan["info"].encode())
    return _field_bytes(1, body)


def abci_query_document(chain, query):
    """CometBFT's /abci_query answer; only x/upgrade's CurrentPlan is known (code 6 otherwise, as the SDK)."""
    path = (urllib.parse.parse_qs(query).get("path") or [""])[-1]
    if len(path) >= 2 and path[0] == path[-1] == '"':
        path = path[1:-1]
    with chain.lock:
        height = chain.height
    response = {
        "code": 0, "log": "", "info": "", "index": "0", "key": None, "value": None,
        "proofOps": None, "height": str(height), "codespace": "",
    }
    if path == CURRENT_PLAN_QUERY:
        value = current_plan_response(chain.current_plan())
        response["value"] = base64.b64encode(value).decode() if value else None
    else:
        response.update(code=6, log=f"unknown query path: {path}: unknown request", codespace="sdk")
    return {"jsonrpc": "2.0", "id": -1, "result": {"response": response}}


def serve_rpc(chain, laddr, catching_up):
    host, _, port = laddr.replace("tcp://", "").rpartition(":")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            route, _, query = self.path.partition("?")
            if route in ("/status", "/"):
                document = status_document(chain, catching_up)
            elif route == "/abci_query":
                document = abci_query_document(chain, query)
            elif route == "/validators":
                document = chain.validators_document(query)
            else:
                self.send_error(404)
                return
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server((host or "127.0.0.1", int(port)), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# MARK: - a node of the shared chain


class SharedNode:
    """One node's loop on the shared chain: it follows the chain's blocks into its own data/blocks.log (at
    `catch_up_speed` blocks per interval while it is behind, reporting catching_up), and when the next block is
    due and this node is in sync it tries to commit it (SharedChain.try_commit). Before each block it applies
    x/upgrade's rules exactly as a single node does: halt height, the plan's handler, upgrade-info.json."""

    def __init__(self, chain, settings):
        self.chain = chain
        self.shared = chain.shared
        self.settings = settings
        self.halted = False
        self.record = {
            "name": chain.moniker, "address": chain.address, "pid": os.getpid(), "version": VERSION,
            "handles": HANDLES, "halt_height": settings["halt_height"], "skips": sorted(settings["skips"]),
            "synced": False, "halted": False,
        }

    def set_synced(self, synced):
        with self.chain.lock:
            was_catching_up = self.chain.catching_up
            self.chain.catching_up = not synced
        if not synced and not was_catching_up:
            log(f"catching up: height {self.chain.height}, the chain is at {self.shared.state()['height']}")
        if self.record["synced"] != synced:
            self.record["synced"] = synced
            self.shared.write_record(self.record)
            if synced and was_catching_up:
                log(f"caught up with the chain at height {self.chain.height}")

    def before_block(self, height, state):
        """x/upgrade and --halt-height before `height`: None to go on, else the exit code ("stay" to stay up)."""
        settings = self.settings
        if settings["halt_height"] and height >= settings["halt_height"]:
            log(f"halting node per configuration halt_height={settings['halt_height']} height={self.chain.height}")
            if settings["stay_up"]:
                self.halted = True
                self.record["halted"] = True
                self.shared.write_record(self.record)
                return "stay"
            return 0
        upgrade = next((a for a in state["applied"] if a["height"] == height), None)
        plan = state.get("plan")
        if upgrade is None and plan and plan["height"] <= height:
            upgrade = plan
        if upgrade:
            name, info = upgrade["name"], upgrade.get("info", "")
            if height in settings["skips"]:
                log(f'UPGRADE "{name}" SKIPPED at {height}: {info}')
            elif name in HANDLES:
                log(f'applying upgrade "{name}" at height: {height}')
                self.chain.record_applied(name, height)
            else:
                info_path = os.path.join(self.chain.data, UPGRADE_INFO)
                with open(info_path, "wb") as f:  # non-atomic, as x/upgrade's os.WriteFile
                    f.write(plan_json(name, height, info))
                os.chmod(info_path, 0o600)
                log(f'UPGRADE "{name}" NEEDED at height: {height}: {info}', "ERR")
                log("CONSENSUS FAILURE!!!", "ERR")
                return settings["upgrade_exit"]
        elif plan and plan["name"] in HANDLES and plan["height"] > height:
            log(
                f'BINARY UPDATED BEFORE TRIGGER! UPGRADE "{plan["name"]}" - in binary but not executed on chain. '
                "Downgrade your binary",
                "ERR",
            )
            return 1
        return None

    def follow(self, state, limit, how):
        """Takes up to `limit` of the chain's blocks this node lacks; returns an exit code or None."""
        top = state["height"]
        interval = self.shared.interval
        for height in range(self.chain.height + 1, min(top, self.chain.height + limit) + 1):
            outcome = self.before_block(height, state)
            if outcome is not None:
                return outcome
            self.chain.commit(height, how, block_time=state["time"] - (top - height) * interval)
        return None

    def run(self, stopping):
        shared, chain = self.shared, self.chain
        interval = shared.interval
        state = shared.state()
        self.set_synced(not self.settings["catching_up"] and state["height"] - chain.height <= 1)
        self.shared.write_record(self.record)
        proposer = chain.voting_power > 0
        timeout = 0
        while not stopping.wait(timeout):
            timeout = interval
            if self.halted:
                continue
            state = shared.state()
            if chain.catching_up:
                outcome = self.follow(state, shared.catch_up_speed, "catchup")
                if outcome is None and state["height"] - chain.height <= 1:
                    self.set_synced(True)
            else:
                outcome = self.follow(state, state["height"], "follow")
            if outcome == "stay":
                continue
            if outcome is not None:
                return outcome
            if chain.catching_up or chain.height < state["height"]:
                continue
            # Validators propose when the block is due; other nodes wake a little later to take it, and propose
            # only when it is overdue (no validator of ours runs): one wake-up per block for most nodes.
            due = state["time"] + interval + (0 if proposer else interval / 2)
            now = time.time()
            if now < due:
                take = state["time"] + interval + (0 if proposer else interval / 10)
                timeout = (take if now < take else due) - now + random.uniform(0, interval / 20)
                continue
            outcome = self.before_block(chain.height + 1, state)
            if outcome == "stay":
                continue
            if outcome is not None:
                return outcome
            after, committed = shared.try_commit(chain.height + 1)
            if committed:
                chain.commit(after["height"], "commit", block_time=after["time"])
                timeout = interval
            elif after is None:
                timeout = interval / 5  # another node is committing: take its block then
            elif after["height"] > chain.height:
                timeout = 0  # someone else committed it: follow now
            else:
                timeout = interval / 2  # no quorum (or checked a moment ago): look again
        log(f"stopping mockchaind version={VERSION} height={chain.height}")
        return 0


# MARK: - commands


def cmd_start(argv):
    opts, _ = parse_args(
        argv,
        {"home", "halt-height", "block-interval", "rpc.laddr", "rpc-laddr", "unsafe-skip-upgrades", "upgrade-exit-code"},
        {"halt-stay-up", "catching-up", "x-crisis-skip-assert-invariants"},
    )
    if BROKEN:
        fail(f"panic: mockchaind {VERSION} cannot start (a deliberately broken release from sandbox.py build-versions)", 1)
    home = home_of(opts)
    chain = Chain(home)
    if not os.path.isdir(chain.data):
        fail(f"data directory {chain.data} does not exist; run `mockchaind init --home {home}` first")
    chain.shared = SharedChain.of(chain)
    if chain.shared:
        applied = [(a["name"], a["height"]) for a in chain.shared.state()["applied"]]
    else:
        applied = chain.applied_upgrades()
    unknown = unknown_upgrade(applied, chain.height)
    if unknown:
        refuse_wrong_app_hash(unknown[0], unknown[1], chain.height)
    node = read_json(os.path.join(chain.config, "node.json")) or {}
    interval = parse_duration((opts.get("block-interval") or [node.get("block_interval", "200ms")])[-1])
    laddr = (opts.get("rpc.laddr") or opts.get("rpc-laddr") or [node.get("rpc_laddr", "127.0.0.1:26657")])[-1]
    halt_height = int((opts.get("halt-height") or [node.get("halt_height", 0)])[-1] or 0)
    stay_up = opts.get("halt-stay-up", False) or node.get("halt_stay_up", False)
    catching_up = opts.get("catching-up", False) or os.environ.get("MOCKCHAIND_CATCHING_UP") == "1"
    upgrade_exit = int((opts.get("upgrade-exit-code") or [node.get("upgrade_exit_code", 1)])[-1])
    skips = set()
    for value in opts.get("unsafe-skip-upgrades", []):
        for part in value.split(","):
            if part.strip().isdigit():
                skips.add(int(part.strip()))

    stopping = threading.Event()

    def on_signal(signum, _frame):
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, on_signal)
    # A parent may hand us a blocked mask (Foundation.Process from a Swift task does); a node must hear TERM.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT])

    if chain.shared:
        chain.shared.hold_liveness(chain.moniker)
        chain.voting_power = chain.shared.power_of(chain.address)
    log(f"starting mockchaind version={VERSION} home={home} height={chain.height} rpc={laddr}")
    server = serve_rpc(chain, laddr, catching_up)
    if chain.shared:
        settings = {"halt_height": halt_height, "stay_up": stay_up, "catching_up": catching_up,
                    "upgrade_exit": upgrade_exit, "skips": skips}
        code = SharedNode(chain, settings).run(stopping)
        server.shutdown()
        return code
    plan_path = os.path.join(chain.data, PLAN_FILE)
    halted = False
    while not stopping.wait(interval):
        if halted:
            continue
        next_height = chain.height + 1
        if halt_height and next_height >= halt_height:
            log(f"halting node per configuration halt_height={halt_height} height={chain.height}")
            if stay_up:
                halted = True
                continue
            server.shutdown()
            return 0
        plan = read_json(plan_path)
        if plan and 0 < plan["height"] <= next_height:
            name, info = plan["name"], plan.get("info", "")
            if next_height in skips:
                log(f'UPGRADE "{name}" SKIPPED at {next_height}: {info}')
                os.unlink(plan_path)
            elif name in HANDLES:
                log(f'applying upgrade "{name}" at height: {next_height}')
                chain.record_applied(name, next_height)
                os.unlink(plan_path)
            else:
                info_path = os.path.join(chain.data, UPGRADE_INFO)
                with open(info_path, "wb") as f:  # non-atomic, as x/upgrade's os.WriteFile
                    f.write(plan_json(name, next_height, info))
                os.chmod(info_path, 0o600)
                log(f'UPGRADE "{name}" NEEDED at height: {next_height}: {info}', "ERR")
                log("CONSENSUS FAILURE!!!", "ERR")
                server.shutdown()
                return upgrade_exit
        elif plan and plan["name"] in HANDLES and plan["height"] > next_height:
            log(
                f'BINARY UPDATED BEFORE TRIGGER! UPGRADE "{plan["name"]}" - in binary but not executed on chain. '
                "Downgrade your binary",
                "ERR",
            )
            server.shutdown()
            return 1
        chain.commit(next_height)
    log(f"stopping mockchaind version={VERSION} height={chain.height}")
    server.shutdown()
    return 0


def cmd_init(argv):
    opts, pos = parse_args(
        argv, {"home", "chain-id", "rpc-laddr", "block-interval", "key-seed", "chain-dir"}, {"overwrite"})
    home = home_of(opts)
    config = os.path.join(home, "config")
    os.makedirs(config, exist_ok=True)
    os.makedirs(os.path.join(home, "data"), exist_ok=True)
    key_path = os.path.join(config, "priv_validator_key.json")
    if not os.path.exists(key_path) or opts.get("overwrite"):
        seed = bytes.fromhex(opts["key-seed"][-1]) if "key-seed" in opts else None
        write_atomic(key_path, json.dumps(new_priv_validator_key(seed), indent=2).encode() + b"\n", 0o600)
    node = read_json(os.path.join(config, "node.json")) or {}
    node["moniker"] = pos[0] if pos else node.get("moniker", os.path.basename(home))
    flags = (("chain-id", "chain_id"), ("rpc-laddr", "rpc_laddr"), ("block-interval", "block_interval"),
             ("chain-dir", "chain_dir"))
    for flag, key in flags:
        if flag in opts:
            node[key] = opts[flag][-1]
    write_atomic(os.path.join(config, "node.json"), json.dumps(node, indent=2).encode() + b"\n")
    key = read_json(key_path)
    print(json.dumps({"moniker": node["moniker"], "address": key["address"]}))
    return 0


def cmd_propose_upgrade(argv):
    opts, pos = parse_args(argv, {"home", "info", "chain"})
    relative = len(pos) == 2 and pos[1].startswith("+")
    number = pos[1][1:] if relative else (pos[1] if len(pos) == 2 else "")
    if not number.isdigit() or int(number) <= 0:
        fail("usage: mockchaind propose-upgrade NAME {HEIGHT | +BLOCKS} {--home H | --chain DIR} [--info INFO]")
    plan = {"name": pos[0], "height": int(number), "info": (opts.get("info") or [""])[-1]}
    if "chain" in opts:
        shared = SharedChain(os.path.abspath(opts["chain"][-1]))
    else:
        home = home_of(opts)
        data = os.path.join(home, "data")
        if not os.path.isdir(data):
            fail(f"data directory {data} does not exist")
        chain = Chain(home)
        shared = SharedChain.of(chain)
        if not shared:
            plan["height"] += chain.height if relative else 0
            write_atomic(os.path.join(data, PLAN_FILE), json.dumps(plan).encode())
    if shared:
        plan["height"] = shared.propose(plan["name"], plan["height"], plan["info"], relative)
    print(f'proposal passed: upgrade "{pos[0]}" at height {plan["height"]}')
    return 0


def cmd_status(argv):
    opts, _ = parse_args(argv, {"home", "node"})
    home = home_of(opts)
    chain = Chain(home)
    chain.shared = SharedChain.of(chain)
    if chain.shared:
        chain.voting_power = chain.shared.power_of(chain.address)
    print(json.dumps(status_document(chain, False)["result"]))
    return 0


def cmd_pre_upgrade(argv):
    """Exits with the next code from $DAEMON_HOME/config/pre-upgrade-exit-codes (one per call), else 0."""
    opts, _ = parse_args(argv, {"home"})
    path = os.path.join(home_of(opts), "config", "pre-upgrade-exit-codes")
    codes = []
    try:
        with open(path) as f:
            codes = f.read().split()
    except FileNotFoundError:
        pass
    code = int(os.environ.get("MOCKCHAIND_PRE_UPGRADE_EXIT", "0"))
    if codes:
        code = int(codes[0])
        if len(codes) > 1:
            write_atomic(path, (" ".join(codes[1:]) + "\n").encode())
    with open(os.path.join(home_of(opts), "data", "pre-upgrade.log"), "a") as f:
        f.write(f"{VERSION} {code}\n")
    print(f"pre-upgrade version={VERSION} exit={code}")
    return code


def main(argv):
    if not argv or argv[0] in ("help", "-h", "--help"):
        print("usage: mockchaind {start|init|version|status|pre-upgrade|propose-upgrade|show-address} [flags]")
        return 0
    command, rest = argv[0], argv[1:]
    if command == "version":
        print(VERSION)
        return 0
    if command == "show-address":
        opts, _ = parse_args(rest, {"home"})
        key = read_json(os.path.join(home_of(opts), "config", "priv_validator_key.json"))
        print(key["address"] if key else "")
        return 0 if key else 1
    handlers = {
        "start": cmd_start,
        "init": cmd_init,
        "propose-upgrade": cmd_propose_upgrade,
        "status": cmd_status,
        "pre-upgrade": cmd_pre_upgrade,
    }
    if command not in handlers:
        fail(f'unknown command "{command}" for "mockchaind"')
    return handlers[command](rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
