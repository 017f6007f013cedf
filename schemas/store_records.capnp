@0x85e806b3f8c2aafe;
# Records the controller keeps in RocksDB (not on the wire). Cap'n Proto so that
# fields can be added without a migration.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

using import "hello.capnp".Fact;
using import "label.capnp".Label;

struct HostRecord {
  host @0 :Text;
  epoch @1 :UInt64;           # The agent's current epoch.
  lastSequence @2 :UInt64;    # The newest batch stored in that epoch.
  lastSeenMs @3 :Int64;       # Wall clock of the last message.
  series @4 :UInt64;          # Series created for this host.
  samples @5 :UInt64;         # Samples stored for this host.
  agentVersion @6 :Text;
  bootId @7 :Text;
  intervalMs @8 :UInt32;
  facts @9 :List(Fact);
}

# One trigger subject's hysteresis state (controller/planner/triggers/trigger_state.h).
struct TriggerStateRecord {
  rule @0 :Text;
  host @1 :Text;
  labels @2 :List(Label);
  phase @3 :Phase;
  breachSinceMs @4 :Int64;
  firingSinceMs @5 :Int64;
  resolvedAtMs @6 :Int64;
  safeSinceMs @7 :Int64;
  value @8 :Float64;
  valueMs @9 :Int64;
  enum Phase {
    ok @0;
    pending @1;
    firing @2;
    resolved @3;
  }
}
