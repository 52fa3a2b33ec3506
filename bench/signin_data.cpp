// bench/signin_data.cpp — Entra ID (Azure AD) sign-in events for the T1078.004 rule.
//
// The shape follows Elastic's indexed azure.signinlogs documents (../shared/corpus/
// azure-signinlogs-samples.ndjson): nested objects, `azure.signinlogs.properties.*` in
// snake_case, `status.error_code` a JSON number, ECS fields next to them (event, source, user,
// related, geo). Two differences on purpose: `event.original` (the raw Graph record, which
// doubles a real document's size) is left out, so that an event is ~1.4 KB with ~45 values; and
// the rule's own names `risk_level_during_sign_in` and `location.country_or_region` are used
// (raw Graph exports keep them; Elastic renames them) so that every indicator of the rule fires
// now and then. See ../shared/spec/t1078_004.md.
#include <cstdio>

#include "bench/common.hpp"
#include "bench/data.hpp"

namespace bench {

namespace {

struct App {
  const char* name;
  const char* id;
};

const std::vector<App> kApps = {
    {"Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"},
    {"Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000"},
    {"Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c"},
    {"Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"},
    {"Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"},
    {"OneDrive SyncEngine", "ab9b8c07-8f02-4f72-87fa-80105867a763"},
    {"Office365 Shell WCSS-Client", "89bee1f7-5e6e-4d8a-9f3d-ecd601259da7"},
    {"Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e"},
};
const std::vector<const char*> kResources = {
    "Microsoft Graph", "Office 365 Exchange Online", "Windows Azure Service Management API",
    "Office 365 SharePoint Online", "Microsoft Teams Services"};
const std::vector<const char*> kFirst = {"April", "Bruno", "Chen",  "Dana",  "Elif", "Farid",
                                         "Greta", "Hugo",  "Imani", "Jonas", "Kiri", "Lena"};
const std::vector<const char*> kLast = {"Oniel", "Keller", "Wang",  "Novak", "Yilmaz", "Haddad",
                                        "Berg",  "Moreau", "Okoro", "Lind",  "Tane",   "Costa"};
const std::vector<const char*> kCities = {"Seattle", "Berlin", "London", "Paris",    "Amsterdam",
                                          "Austin",  "Dublin", "Tokyo",  "Sao Paulo"};
// Mostly ordinary countries; the rule's five appear in ~4% of the events.
const std::vector<const char*> kCountries = {"US", "US", "US", "US", "DE", "DE", "GB", "GB",
                                             "FR", "NL", "IE", "JP", "BR", "IN", "CA", "AU",
                                             "ES", "IT", "SE", "CH", "PL", "US", "DE", "GB"};
const std::vector<const char*> kRiskyCountries = {"KP", "IR", "RU", "CN", "BY"};
// client_app_used as Entra ID emits it (Elastic's legacy-authentication rule lists these).
const std::vector<const char*> kClientApps = {"Browser",
                                              "Browser",
                                              "Browser",
                                              "Mobile Apps and Desktop clients",
                                              "Mobile Apps and Desktop clients",
                                              "Mobile Apps and Desktop clients",
                                              "Unknown"};
const std::vector<const char*> kLegacyApps = {"Authenticated SMTP",
                                              "Autodiscover",
                                              "Exchange ActiveSync",
                                              "Exchange Web Services",
                                              "IMAP4",
                                              "MAPI Over HTTP",
                                              "Offline Address Book",
                                              "Outlook Anywhere (RPC over HTTP)",
                                              "POP3",
                                              "Other clients"};
const std::vector<const char*> kSystems = {"Windows10", "Windows 11", "MacOs",
                                           "Ios",       "Android",    "Linux"};
const std::vector<const char*> kCategories = {"SignInLogs", "SignInLogs",
                                              "NonInteractiveUserSignInLogs"};

std::string timestamp(std::size_t i, Rng& rng) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2025-12-%02dT%02d:%02d:%02d.%03dZ",
                static_cast<int>(1 + (i / 3600) % 28), static_cast<int>((i / 60) % 24),
                static_cast<int>(i % 60), static_cast<int>(rng.below(60)),
                static_cast<int>(rng.below(1000)));
  return buf;
}

void signin_event(std::string& out, std::size_t i, Rng& rng, const std::string& tenant) {
  const std::string first = rng.pick(kFirst), last = rng.pick(kLast);
  const std::string user = first + '.' + last + std::to_string(i % 997);
  const std::string upn = user + "@contoso.com";
  const std::string full = first + ' ' + last;
  const std::string user_id = rng.uuid(), correlation = rng.uuid(), request = rng.uuid();
  const bool external = rng.chance(0.7);
  const std::string ip = rng.ipv4(!external);
  const App& app = rng.pick(kApps);
  const bool failed = rng.chance(0.2);
  const int error_code = failed ? (rng.chance(0.5) ? 50126 : 50074) : 0;
  const char* country = rng.chance(0.04) ? rng.pick(kRiskyCountries) : rng.pick(kCountries);
  const char* client_app = rng.chance(0.08) ? rng.pick(kLegacyApps) : rng.pick(kClientApps);
  const double r = static_cast<double>(rng.below(1000)) / 1000;
  const char* risk = r < 0.02 ? "high" : r < 0.05 ? "medium" : r < 0.12 ? "low" : "none";
  const bool single_factor = rng.chance(0.3);
  const char* ca = rng.chance(0.6) ? "notApplied" : rng.chance(0.8) ? "success" : "failure";
  const char* category = rng.pick(kCategories);

  JsonWriter w(out);
  w.begin_object();
  w.str("@timestamp", timestamp(i, rng));
  w.begin_object("azure");
  w.str("correlation_id", correlation);
  w.begin_object("signinlogs");
  w.str("caller_ip_address", ip).str("category", category).str("identity", full);
  w.begin_object("properties");
  w.str("app_display_name", app.name).str("app_id", app.id);
  w.begin_array("authentication_details")
      .begin_object()
      .str("authentication_method", single_factor ? "Password" : "Mobile app notification")
      .boolean("succeeded", !failed)
      .end_object()
      .end_array();
  w.str("authentication_requirement",
        single_factor ? "singleFactorAuthentication" : "multiFactorAuthentication");
  w.str("client_app_used", client_app).str("conditional_access_status", ca);
  w.begin_object("device_detail").str("operating_system", rng.pick(kSystems)).end_object();
  w.str("id", request).boolean("is_interactive", category[0] == 'S');
  w.begin_object("location")
      .str("city", rng.pick(kCities))
      .str("country_or_region", country)
      .end_object();
  w.str("resource_display_name", rng.pick(kResources));
  w.str("risk_level_aggregated", risk).str("risk_level_during_sign_in", risk);
  w.str("risk_state", risk[0] == 'n' ? "none" : "atRisk");
  w.begin_object("status").integer("error_code", error_code).end_object();
  w.str("user_display_name", full).str("user_id", user_id).str("user_principal_name", upn);
  w.end_object();  // properties
  w.str("result_signature", failed ? "FAILURE" : "SUCCESS");
  w.str("result_type", std::to_string(error_code));
  w.end_object();  // signinlogs
  w.str("tenant_id", tenant);
  w.end_object();  // azure
  w.begin_object("event")
      .str("action", "Sign-in activity")
      .begin_array("category")
      .str({}, "authentication")
      .end_array()
      .integer("duration", 0)
      .str("kind", "event")
      .str("outcome", failed ? "failure" : "success")
      .end_object();
  w.begin_object("geo").str("country_iso_code", country).end_object();
  w.begin_object("related")
      .begin_array("ip")
      .str({}, ip)
      .end_array()
      .begin_array("user")
      .str({}, upn)
      .end_array()
      .end_object();
  w.begin_object("source").str("ip", ip).end_object();
  w.begin_object("user").str("id", user_id).str("name", upn).end_object();
  w.end_object();
  out += '\n';
}

}  // namespace

std::string generate_signin_ndjson(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  const std::string tenant = rng.uuid();
  std::string out;
  out.reserve(n * 1500);
  for (std::size_t i = 0; i < n; ++i)
    signin_event(out, i, rng, tenant);
  return out;
}

std::string generate_signin_ndjson_bytes(std::size_t bytes, std::uint64_t seed) {
  Rng rng(seed);
  const std::string tenant = rng.uuid();
  std::string out;
  out.reserve(bytes + 4096);
  for (std::size_t i = 0; out.size() < bytes; ++i)
    signin_event(out, i, rng, tenant);
  return out;
}

const std::string& signin_ndjson() {
  static const std::string d = generate_signin_ndjson(scale().signin_events, 42);
  return d;
}

const std::vector<std::string_view>& signin_lines() {
  static const std::vector<std::string_view> l = split_lines(signin_ndjson());
  return l;
}

std::string t1078_rule() {
  return read_file(source_dir() + "/examples/t1078_004.eql");
}

}  // namespace bench
