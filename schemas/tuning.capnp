@0xb3f1c0d5a8e24e17;
# Tuning on the agent link: the controller sends approved changes down (TuningCommand),
# the agent answers each with a TuningResult and reports its knobs (KnobReport) after
# every Hello, after every change, and whenever an applied value drifts.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tidemark::schema");

struct TuningCommand {
  changeId @0 :UInt64;      # The controller's id for this host's change; the agent's
                            # journal keys on it, so a resent command is answered, not redone.
  action @1 :Action;
  knob @2 :Text;            # "vm.swappiness", "block.scheduler:nvme0n1", "ship.pack:zod"
  value @3 :Text;           # With apply: the value to write ("run" for maintenance jobs).
  timeoutMs @4 :Int64;      # Maintenance jobs: the longest a step may take; 0: the agent's default.
  enum Action {
    apply @0;
    rollback @1;
  }
}

struct TuningResult {
  hostId @0 :Text;
  changeId @1 :UInt64;
  action @2 :TuningCommand.Action;
  outcome @3 :Outcome;
  knob @4 :Text;
  previous @5 :Text;        # The value before (apply) or the value undone (rollback).
  current @6 :Text;         # The value read back afterwards.
  reason @7 :Text;          # Why it was refused, failed or rolled back; what a job did.
  restoreCommand @8 :Text;  # A shell command an operator could run to undo it by hand.
  atMs @9 :Int64;           # Wall-clock ms on the agent when the outcome was reached.
  enum Outcome {
    applied @0;             # Written and verified by reading it back.
    rolledBack @1;          # The journaled old value is back (by request, or after a failed verification).
    refused @2;             # The local policy or the knob's own validation said no; nothing written.
    failed @3;              # Tried and could not (and rolled back whatever it had written).
    unavailable @4;         # The knob does not exist on this host; nothing written.
  }
}

struct KnobState {
  knob @0 :Text;
  value @1 :Text;           # As read now; empty when unavailable.
  available @2 :Bool;
  reason @3 :Text;          # Why unavailable ("sched_* moved out of sysctl in 5.13", ...).
  choices @4 :List(Text);   # Enum knobs: the values this host offers.
  facts @5 :List(KnobFact); # Context for the recommender: rotational, transport, mountpoint, ...
  appliedChangeId @6 :UInt64;  # The change of ours in force on this knob (0: none).
  appliedValue @7 :Text;       # What that change wrote.
  drift @8 :Bool;              # value != appliedValue: changed out of band, left alone.
}

struct KnobFact {
  name @0 :Text;
  value @1 :Text;
}

struct KnobReport {
  hostId @0 :Text;
  atMs @1 :Int64;
  knobs @2 :List(KnobState);
}
