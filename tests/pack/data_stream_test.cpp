// tests/pack/data_stream_test.cpp — index patterns and data stream constants
// (pack/data_stream.hpp; docs/rule-packs.md "Index scoping"; semantics.md E4).
#include <catch2/catch.hpp>

#include "pack/data_stream.hpp"

using pack::data_stream_constants;
using pack::index_matches;

namespace {
std::string constant(std::string_view index, std::string_view field) {
  for (const auto& [f, v] : data_stream_constants(index))
    if (f == field) return v;
  return "(none)";
}
}  // namespace

TEST_CASE("index patterns: * matches any run, - excludes, none matches all", "[data_stream]") {
  const std::vector<std::string> azure = {"filebeat-*", "logs-azure.signinlogs-*"};
  CHECK(index_matches(azure, "logs-azure.signinlogs-default"));
  CHECK(index_matches(azure, "filebeat-8.11.0-2024.01.01"));
  CHECK_FALSE(index_matches(azure, "logs-azure.auditlogs-default"));
  CHECK_FALSE(index_matches(azure, "logs-endpoint.events.process-default"));
  CHECK(index_matches({}, "anything"));
  CHECK(index_matches({"logs-*", "-logs-endpoint.*"}, "logs-windows.sysmon_operational-x"));
  CHECK_FALSE(index_matches({"logs-*", "-logs-endpoint.*"}, "logs-endpoint.events.file-x"));
  CHECK(index_matches({"logs-crowdstrike.fdr*"}, "logs-crowdstrike.fdr-default"));
  CHECK_FALSE(index_matches({"logs-crowdstrike.fdr*"}, "xlogs-crowdstrike.fdr-default"));
  CHECK(index_matches({"*"}, ""));
}

TEST_CASE("E4: a data stream's name gives its constant fields", "[data_stream]") {
  CHECK(constant("logs-azure.signinlogs-default", "data_stream.type") == "logs");
  CHECK(constant("logs-azure.signinlogs-default", "data_stream.dataset") == "azure.signinlogs");
  CHECK(constant("logs-azure.signinlogs-default", "data_stream.namespace") == "default");
  CHECK(constant("logs-azure.signinlogs-default", "event.dataset") == "azure.signinlogs");
  CHECK(constant("logs-azure.signinlogs-default", "event.module") == "azure");
  // A backing index of the data stream names the same stream.
  CHECK(constant(".ds-logs-azure.auditlogs-prod-2024.05.01-000003", "event.dataset") ==
        "azure.auditlogs");
  CHECK(constant(".ds-logs-azure.auditlogs-prod-2024.05.01-000003", "data_stream.namespace") ==
        "prod");
  // A dataset without a package prefix has no event.module.
  CHECK(constant("metrics-system-default", "event.dataset") == "system");
  CHECK(constant("metrics-system-default", "event.module") == "(none)");
  // Not data stream names: no constants.
  CHECK(data_stream_constants("filebeat-*").empty());
  CHECK(data_stream_constants("winlogbeat").empty());
  CHECK(data_stream_constants("logs-a-b-c").empty());
  CHECK(data_stream_constants("-azure-").empty());
}
