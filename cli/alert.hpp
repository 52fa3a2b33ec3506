// cli/alert.hpp — a result as an alert: one JSON line in the shape of Elastic Security's alert
// documents (`kibana.alert.*`), followed by the result's events (docs/cli.md, "Alerts").
#pragma once

#include <string>

#include "pack/rule.hpp"

namespace cli {

/// The start of every alert line of `rule`, up to and including the comma before the result's
/// own fields: `{"kibana":{"alert":{"rule":{...},"severity":...,"risk_score":...}},`
std::string alert_prefix(const pack::Rule& rule);

}  // namespace cli
