@0xd7c3a1f09e5b6c42;
# Records the controller's tuning service keeps in RocksDB (column family `tuning`,
# see controller/tuning/tuning_store.h). Cap'n Proto so that fields can be added
# without a migration.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

# One knob on one host, from proposal to approval, dispatch, result and rollback.
struct TuningProposalRecord {
  id @0 :UInt64;
  host @1 :Text;
  knob @2 :Text;
  value @3 :Text;
  current @4 :Text;           # the host's value when proposed
  state @5 :Text;             # proposed, approved, applied, failed, rolled_back, rejected
  reason @6 :Text;
  evidence @7 :List(Text);
  source @8 :Text;            # "recommender" or "manual by USER"
  createdMs @9 :Int64;
  updatedMs @10 :Int64;
  rollout @11 :UInt64;        # 0: none
  canary @12 :Bool;
  agentMessage @13 :Text;     # the agent's last reason
  restoreCommand @14 :Text;
  command @15 :Text;          # "", "apply" or "rollback": the command owed to the agent
  commandSentMs @16 :Int64;   # 0: queued, not sent since the last Hello
  appliedMs @17 :Int64;       # when the agent reported it applied
  driftSeen @18 :Bool;        # a drift audit entry was written for this change
}

struct TuningAuditRecord {
  atMs @0 :Int64;
  proposal @1 :UInt64;
  host @2 :Text;
  knob @3 :Text;
  event @4 :Text;
  actorUid @5 :Int64;         # -1: the controller itself or an unknown peer
  actor @6 :Text;             # user name, or "controller"
  detail @7 :Text;
}
