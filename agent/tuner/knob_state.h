// A knob's state as the controller sees it (value, choices, facts, the applied change
// and drift), and probe/read wrappers that turn a knob's exceptions into text: knobs
// come from other sources and must not break a survey.
#pragma once

#include <string>

#include "agent/tuner/journal.h"
#include "agent/tuner/knob.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::agent::tuner {

// `applied` is the journal's change in force on the knob, or nullptr. Drift: the knob is
// available, shows its value by read(), and that value differs from the applied one.
wire::KnobStateData knobState(const Knob& knob, const KnobProbe& probe,
                              const JournalEntry* applied);

// The knob's probe; unavailable with "probe failed: ..." when it throws.
KnobProbe safeProbe(const Knob& knob);

// The knob's value now, or "" with `error` set to why it could not be read.
std::string safeRead(const Knob& knob, std::string& error);

}  // namespace tidemark::agent::tuner
