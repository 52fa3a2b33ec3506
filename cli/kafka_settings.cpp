// cli/kafka_settings.cpp — -X settings, secrets masked (cli/kafka_settings.hpp).
#include "cli/kafka_settings.hpp"

#include <cstdio>

namespace cli {

bool is_secret_setting(std::string_view key) {
  for (std::string_view word :
       {"password", "secret", "jaas", "key.pem", "oauthbearer.config", "keystore", "token"})
    if (key.find(word) != std::string_view::npos) return true;
  return false;
}

namespace {

// `text` with every occurrence of `secret` replaced by ***.
std::string masked(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
    text.replace(at, secret.size(), "***");
  return text;
}

}  // namespace

bool apply_settings(rd_kafka_conf_t* conf, const KafkaSettings& settings) {
  for (const auto& [key, value] : settings) {
    char err[512];
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK)
      continue;
    const bool secret = is_secret_setting(key);
    const std::string shown = secret ? "***" : value;
    const std::string reason = secret ? masked(err, value) : std::string(err);
    std::fprintf(stderr, "eqlite consume: -X %s=%s: %s\n", key.c_str(), shown.c_str(),
                 reason.c_str());
    return false;
  }
  return true;
}

bool set_setting(rd_kafka_conf_t* conf, const char* key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK) return true;
  std::fprintf(stderr, "eqlite consume: %s: %s\n", key, err);
  return false;
}

rd_kafka_t* new_client(rd_kafka_type_t type, rd_kafka_conf_t* conf, const KafkaSettings& defaults,
                       const KafkaSettings& settings, const KafkaSettings& fixed,
                       const char* what) {
  auto set_all = [&](const KafkaSettings& list) {
    for (const auto& [key, value] : list)
      if (!set_setting(conf, key.c_str(), value)) return false;
    return true;
  };
  if (!set_all(defaults) || !apply_settings(conf, settings) || !set_all(fixed)) {
    rd_kafka_conf_destroy(conf);
    return nullptr;
  }
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);  // takes conf when it succeeds
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    std::fprintf(stderr, "eqlite consume: cannot create the %s: %s\n", what, err);
  }
  return rk;
}

}  // namespace cli
