@0xe529bf05d03de791;
# The envelopes on the agent link (agent DEALER <-> controller ROUTER): one Cap'n
# Proto message per ZeroMQ frame, always one of these two.
# Metrics, tuning results and knob reports flow up; acks and tuning commands flow down.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

using import "hello.capnp".Hello;
using import "metric_batch.capnp".MetricBatch;
using import "ack.capnp".Ack;
using import "tuning.capnp".TuningCommand;
using import "tuning.capnp".TuningResult;
using import "tuning.capnp".KnobReport;

struct AgentMessage {
  union {
    hello @0 :Hello;
    batch @1 :MetricBatch;
    tuningResult @2 :TuningResult;
    knobReport @3 :KnobReport;
  }
}

struct Welcome {
  # The controller's answer to Hello.
  controllerVersion @0 :Text;
  lastSequence @1 :UInt64;   # The newest sequence stored for this host and epoch (0: none).
  readsUniformTimestamps @2 :Bool;  # Batches may carry one timestampMs for all samples.
}

struct ControllerMessage {
  union {
    ack @0 :Ack;
    welcome @1 :Welcome;
    tuningCommand @2 :TuningCommand;
  }
}
