@0xe01889eedb537804;
# Ack: the controller's answer to a MetricBatch, sent only after the outcome is durable.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

struct Ack {
  sequence @0 :UInt64;
  status @1 :Status;
  expectedSequence @2 :UInt64;   # With `gap`: the sequence the controller needs next.
  reason @3 :Text;               # With `rejected` and `resync`: why, for the agent's log.

  enum Status {
    stored @0;      # Written to the store; the agent may forget the batch.
    duplicate @1;   # Already stored earlier; the agent may forget the batch.
    resync @2;      # The controller lacks series definitions: send Hello and every
                    # announcement again, then replay from the oldest unacked batch.
    gap @3;         # An earlier batch is missing: replay from expectedSequence.
    rejected @4;    # Malformed or refused; replaying it will not help.
    unauthorized @5;  # The agent's key is not accepted for this host (yet): keep the
                      # batch and retry later; an operator runs `tidemark agents accept`.
  }
}
