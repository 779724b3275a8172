"""Development tooling, never on the production path: the embedded Elasticsearch node of the local
run and the tests (`es_node`), and the offline replay server (`replay`).

Nothing in `pipeline` imports this package except where a user asked for it: `newswatch run-local`,
`NEWSWATCH_SOURCE=replay`, and the test fixtures.
"""
