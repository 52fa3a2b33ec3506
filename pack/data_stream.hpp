// pack/data_stream.hpp — what an index name says about its events (docs/rule-packs.md, "Index
// scoping"): whether a rule's `index` patterns cover it, and the constant fields of an Elastic
// data stream (`logs-azure.signinlogs-default` → data_stream.type logs, data_stream.dataset and
// event.dataset azure.signinlogs, data_stream.namespace default, event.module azure; semantics.md
// E4).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pack {

/// True when `index` matches one of `patterns` (Elasticsearch index patterns: `*` matches any
/// run of characters; a pattern starting with `-` excludes). An empty list matches everything.
bool index_matches(const std::vector<std::string>& patterns, std::string_view index);

/// The constant fields of the data stream `index` names (none when it is not a data stream name
/// `TYPE-DATASET-NAMESPACE`, or a backing index `.ds-TYPE-DATASET-NAMESPACE-DATE-NNNNNN`).
std::vector<std::pair<std::string, std::string>> data_stream_constants(std::string_view index);

}  // namespace pack
