"""How the ledger is stored (持久化): everything that differs from plain ``eventsourcing``.

The rest of the service reads as the library's ``Application``; what this package changes is
here, each module saying what it changes and why:

* ``aggregate_loading`` -- replay and save without the library's protocol check per object,
  many aggregates in a few queries (``load_many``);
* ``snapshots`` -- when snapshots are taken, and their stable topic;
* ``postgres_recorder`` -- PostgreSQL schema creation under a lock, inserts without pipelining;
* ``side_tables`` -- the service's own tables beside the events (idempotency keys, jobs).
"""
