// cli/kafka_settings.hpp — librdkafka settings given with `-X KEY=VALUE` (`eqlite consume`),
// applied to the consumer and the alerts producer. A secret's value (passwords, SASL and OAuth
// secrets, private keys) is never printed: messages show it as `***`.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cli {

using KafkaSettings = std::vector<std::pair<std::string, std::string>>;

/// Whether the value of setting `key` is a secret (sasl.password, ssl.key.password,
/// sasl.oauthbearer.client.secret, ssl.key.pem, sasl.jaas.config, ...).
bool is_secret_setting(std::string_view key);

/// Sets each setting on `conf`. False after a message on stderr (`eqlite consume: -X KEY=VALUE:
/// reason`, a secret's value masked, in the reason too) when librdkafka refuses one.
bool apply_settings(rd_kafka_conf_t* conf, const KafkaSettings& settings);

/// Sets one setting eqlite chooses; false after a message on stderr.
bool set_setting(rd_kafka_conf_t* conf, const char* key, const std::string& value);

/// A client of `type` made from `conf`, which it takes: eqlite's `defaults`, then the -X
/// `settings` (which may change them), then `fixed` (which they may not). Null after a message
/// on stderr naming the client (`what`).
rd_kafka_t* new_client(rd_kafka_type_t type, rd_kafka_conf_t* conf, const KafkaSettings& defaults,
                       const KafkaSettings& settings, const KafkaSettings& fixed, const char* what);

}  // namespace cli
