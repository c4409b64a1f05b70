"""The coordination options module 02 weighs: six ways to take a lock and one way to need none
(a conditional write in the database that holds the stock), scored 1–5 on seven criteria, each
score with its evidence and the source that evidence comes from.

The scores are *judgments*, not measurements: a reader who weighs the same facts may move a
score by one. What is fixed is the evidence each one rests on (factsheet §1, the PostgreSQL
docs' "Advisory Locks", "Explicit Locking" and "Transaction Isolation" sections, or the Cartwheel
scenario, which is fictional; Cartwheel facts come from ``steward.cartwheel``). The lesson
lets the learner change the weights; the exercise asks them to argue with a score.
"""

from __future__ import annotations

import pandas as pd

from steward import cartwheel
from steward.datagen import Column, Dataset

#: Options in the order the lesson shows them (also the tie-break order).
OPTIONS = (
    "Redis (single)",
    "Redis + Sentinel",
    "Redlock",
    "ZooKeeper",
    "etcd",
    "Postgres advisory",
    "Postgres conditional write",
)

#: The option that takes no lock at all: the reservation is one conditional write in the
#: database that holds the stock. Module 11's capstone quotes option names: keep them stable.
NO_LOCK_OPTION = "Postgres conditional write"

#: Criteria, each scored so that 5 is best (operational *simplicity*, not complexity).
CRITERIA = ("safety", "availability", "latency", "throughput", "simplicity", "familiarity", "footprint")

KLEPPMANN = "Kleppmann 2016, 'How to do distributed locking' [S]"
REDIS_REPL = "redis-doc replication.md [P]"
REDIS_SENTINEL = "redis-doc sentinel.md [P]"
REDIS_LOCKS = "redis-doc patterns/distributed-locks.md [P]"
REDIS_LATENCY = "redis-doc latency.md [P]"
ZK_ADMIN = "ZooKeeper zookeeperAdmin.md [P]"
ZK_RECIPES = "ZooKeeper recipes.md; Internals 'Consistency Guarantees' [P]"
ZK_PAPER = "Hunt et al., USENIX ATC 2010; zookeeperOver.md [P]"
ETCD_GUARANTEES = "etcd 'API guarantees'; 'Why etcd' [P]"
ETCD_PERF = "etcd op-guide/performance.md [P]"
ETCD_FAQ = "etcd FAQ [P]"
PG_ADVISORY = "PostgreSQL docs, 'Advisory Locks' (Explicit Locking chapter) [P]"
PG_KEEPALIVE = ("PostgreSQL docs, 'Connections and Authentication': tcp_keepalives_idle (0 = the operating system's "
                "default) [P]; Linux tcp(7): tcp_keepalive_time defaults to 7200 s [P]")
PG_UPDATE = ("PostgreSQL docs, 'Transaction Isolation' (Read Committed: a waiting UPDATE re-evaluates its WHERE "
             "clause on the updated row) and 'UPDATE' [P]")
PG_ROW_LOCKS = "PostgreSQL docs, 'Explicit Locking', row-level locks (SELECT … FOR UPDATE) [P]"
CARTWHEEL = "Cartwheel scenario (fictional)"

#: Whether the protected resource can refuse a stale holder's read-modify-write: with a
#: fencing token (a number that only grows) that it checks, or, for the conditional write,
#: because the resource checks the stock itself in the statement that changes it.
FENCING = {
    "Redis (single)": False,
    "Redis + Sentinel": False,
    "Redlock": False,
    "ZooKeeper": True,
    "etcd": True,
    "Postgres advisory": True,
    "Postgres conditional write": True,
}

#: Options that work only when the protected state is a row in Cartwheel's Postgres: a
#: conditional write has nothing to coordinate when the work is elsewhere (a cache rebuild).
DATABASE_ONLY = {option: option == NO_LOCK_OPTION for option in OPTIONS}

# option → criterion → (score, evidence, source)
_SCORES: dict[str, dict[str, tuple[int, str, str]]] = {
    "Redis (single)": {
        "safety": (2, "No fencing token from SET NX PX; a pause longer than the TTL lets a second client in; "
                      "a crash without fsync=always loses the lock", KLEPPMANN),
        "availability": (1, "One node: when it is down, nobody can take the lock", REDIS_REPL),
        "latency": (5, "Command processing is sub-microsecond; a 1 Gbit/s network adds about 200 µs", REDIS_LATENCY),
        "throughput": (5, "Sub-microsecond commands on one thread: lock calls are never the bottleneck", REDIS_LATENCY),
        "simplicity": (5, "One process, no quorum to size; Kleppmann's choice for efficiency locks", KLEPPMANN),
        "familiarity": (5, f"The team already runs {cartwheel.CACHE_STORE} for the stock-level cache", CARTWHEEL),
        "footprint": (5, "Already in production at Cartwheel: nothing new to run", CARTWHEEL),
    },
    "Redis + Sentinel": {
        "safety": (1, "Asynchronous replication: a failover can lose the lock key, so two clients hold it; "
                      "Sentinel does not retain acknowledged writes during failures", REDIS_SENTINEL),
        "availability": (4, "At least 3 Sentinels promote a replica when the master fails", REDIS_SENTINEL),
        "latency": (5, "Same command path as a single Redis", REDIS_LATENCY),
        "throughput": (5, "Same command path as a single Redis", REDIS_LATENCY),
        "simplicity": (3, "Three or more Sentinels, replicas, and clients that follow failovers", REDIS_SENTINEL),
        "familiarity": (4, "The team knows Redis, not how Sentinel behaves during a partition", CARTWHEEL),
        "footprint": (3, f"Cartwheel runs one {cartwheel.CACHE_STORE}; Sentinels and replicas would be new", CARTWHEEL),
    },
    "Redlock": {
        "safety": (2, "Majority of 5 masters, but no fencing token and it assumes bounded pauses, delays and "
                      "clock error (antirez disputes the last point)", KLEPPMANN),
        "availability": (4, "Works while a majority (3 of 5) of the masters answers", REDIS_LOCKS),
        "latency": (4, "One round to 5 masters; a majority must answer within the validity time", REDIS_LOCKS),
        "throughput": (4, "Each lock costs calls to 5 masters", REDIS_LOCKS),
        "simplicity": (2, "5 independent masters; delayed restarts or fsync=always after a crash", REDIS_LOCKS),
        "familiarity": (3, "Redis commands the team knows; timing assumptions it does not", CARTWHEEL),
        "footprint": (2, "5 new independent Redis masters", CARTWHEEL),
    },
    "ZooKeeper": {
        "safety": (5, "Linearizable writes; ephemeral sequential nodes; the zxid works as a fencing token",
                   ZK_RECIPES),
        "availability": (4, "2F+1 servers tolerate F failures: 3 tolerate 1, 5 tolerate 2", ZK_ADMIN),
        "latency": (3, "Each lock is a write, fsynced to the log before it is acknowledged", ZK_ADMIN),
        "throughput": (4, "Tens to hundreds of thousands of transactions/s at 2:1 to 100:1 read:write; "
                          "locks are writes", ZK_PAPER),
        "simplicity": (1, "A JVM whose heap must never swap and a dedicated transaction-log device; "
                          "contention causes multi-second delays", ZK_ADMIN),
        "familiarity": (1, "Nobody on the team has run ZooKeeper", CARTWHEEL),
        "footprint": (1, "A new cluster of at least 3 servers", CARTWHEEL),
    },
    "etcd": {
        "safety": (5, "Raft; linearizable reads by default; lease locks need a revision condition, "
                      "which works as a fencing token", ETCD_GUARANTEES),
        "availability": (4, "Raft majority: the same 2F+1 table; at most 7 members recommended", ETCD_FAQ),
        "latency": (3, "Under 1 ms at light load on SSD; floor is member RTT plus an fdatasync", ETCD_PERF),
        "throughput": (3, "Over 30,000 requests/s at heavy load (3 members, SSD)", ETCD_PERF),
        "simplicity": (2, "One binary, but WAL fsync p99 must stay under 10 ms or the leader is lost",
                       ETCD_FAQ),
        "familiarity": (2, "A few engineers have used etcdctl; nobody has operated a cluster", CARTWHEEL),
        "footprint": (1, "A new cluster of at least 3 members", CARTWHEEL),
    },
    "Postgres advisory": {
        "safety": (4, "Session-scoped, no TTL to outlive, but a dropped session releases the lock silently; "
                      "fence with a counter checked in the same transaction", f"{PG_ADVISORY}; {KLEPPMANN}"),
        "availability": (3, "As available as the primary, and a failover ends every session and its locks. No "
                            "lease: a paused holder blocks every other worker for as long as it is paused, and a "
                            "dead client's lock is freed only when the server notices its session has ended, e.g. "
                            "by TCP keepalive after the operating system's idle time (2 hours on Linux)",
                         f"{PG_ADVISORY}; {PG_KEEPALIVE}"),
        "latency": (4, "One SQL call on a connection the service already holds", CARTWHEEL),
        "throughput": (3, "Each lock is a database round trip, shared with the inventory workload",
                       CARTWHEEL),
        "simplicity": (4, "No new system; the lock must live on its own connection for the whole job",
                       PG_ADVISORY),
        "familiarity": (4, "The inventory service's database is Postgres; the team writes SQL daily",
                        CARTWHEEL),
        "footprint": (4, "Already in production, owned by the inventory team", CARTWHEEL),
    },
    "Postgres conditional write": {
        "safety": (5, "No lock to outlive: UPDATE stock SET qty = qty - 1 WHERE item = ? AND qty > 0 checks and "
                      "changes the row in one statement; a concurrent UPDATE waits, then re-evaluates WHERE on the "
                      "new row, so the last unit is sold once. Longer logic: SELECT … FOR UPDATE in the same "
                      "transaction. Kleppmann's 'transactional database' answer, with no lock service",
                   f"{PG_UPDATE}; {PG_ROW_LOCKS}; {KLEPPMANN}"),
        "availability": (3, "As available as the primary; a failover aborts the transactions in flight, which the "
                            "workers retry. Nothing is held between statements, so a paused worker blocks no one",
                         PG_UPDATE),
        "latency": (5, "No lock to take: the reservation's own UPDATE is the coordination", CARTWHEEL),
        "throughput": (3, "Buyers of one hot item queue on its row lock until each transaction commits",
                       PG_ROW_LOCKS),
        "simplicity": (5, "No lock service, no lease, no token: one statement and a check of the rows it updated",
                       PG_UPDATE),
        "familiarity": (4, "The inventory service's database is Postgres; the team writes SQL daily",
                        CARTWHEEL),
        "footprint": (4, "Already in production, owned by the inventory team; works only where the state is a "
                         "row in it", CARTWHEEL),
    },
}


def _generate() -> pd.DataFrame:
    rows = []
    for option in OPTIONS:
        for criterion in CRITERIA:
            score, evidence, source = _SCORES[option][criterion]
            rows.append({
                "option": option, "criterion": criterion, "score": score,
                "evidence": evidence, "source": source, "fencing_token": FENCING[option],
                "database_only": DATABASE_ONLY[option],
            })
    return pd.DataFrame(rows)


DATASET = Dataset(
    name="coordination_options",
    title="Six ways to take a lock and one to need none, scored on seven criteria",
    description=(
        "One row per option × criterion: Redis (single instance), Redis with Sentinel, Redlock, ZooKeeper, "
        "etcd, PostgreSQL advisory locks, and a PostgreSQL conditional write that needs no lock service "
        "(`UPDATE … WHERE qty > 0`), each scored 1–5 on safety under partitions and pauses, "
        "availability, latency, throughput, operational simplicity, team familiarity and existing footprint "
        "(5 is always best). **The scores are judgments**, made by the course authors from the evidence in "
        "each row; the evidence comes from the sources named in `source` (factsheet §1: Kleppmann 2016, the "
        "Redis, ZooKeeper and etcd docs; the PostgreSQL docs on advisory locks, row-level locks, transaction "
        "isolation and TCP keepalive) or, where `source` says "
        "so, from the fictional Cartwheel scenario (familiarity, footprint, and Postgres's latency and throughput, "
        "which depend on Cartwheel's own database). [P] marks a primary source, [S] a summary. "
        "`fencing_token` is the hard constraint for a correctness lock: whether the protected resource can "
        "refuse a stale holder's read-modify-write (a number that only grows, which it checks; or, for the "
        "conditional write, its own condition). `database_only` marks an option that works only where the "
        "protected state is a row in Cartwheel's Postgres. No randomness: the table is written out as is."
    ),
    columns=(
        Column("option", "str", "", "the coordination option (7 values)"),
        Column("criterion", "str", "", "safety, availability, latency, throughput, simplicity, familiarity, footprint"),
        Column("score", "int", "1–5", "judgment, 5 = best on this criterion (simplicity: 5 = least to operate)"),
        Column("evidence", "str", "", "the fact the score rests on, in a sentence"),
        Column("source", "str", "", "where the evidence comes from; [P] primary, [S] secondary summary"),
        Column("fencing_token", "bool", "", "can the resource refuse a stale holder's read-modify-write: a monotonic fencing token it checks, or its own condition (same on every row of an option)"),
        Column("database_only", "bool", "", "works only where the protected state is a row in Cartwheel's Postgres (same on every row of an option)"),
    ),
    generate=_generate,
    used_by=("02",),
)
