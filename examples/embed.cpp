// examples/embed.cpp — the smallest program that links eqlite: compile a rule, build an event in
// code, evaluate. Built and run by the test suite (it exits 0 only when the answers are right).
#include <eqlite/eqlite.hpp>

#include <iostream>

int main() {
  const char* rule = R"(any where event.dataset == "azure.signinlogs"
      and azure.signinlogs.properties.status.error_code == "0"
      and azure.signinlogs.properties.client_app_used like~ ("*IMAP*", "*SMTP*"))";

  auto query = eqlite::compile(rule);
  if (!query) {
    std::cerr << query.error().format(rule) << '\n';
    return 2;
  }

  eqlite::FlatEvent event;  // dotted path -> value(s); strings are copied
  event.add("event.dataset", "azure.signinlogs")
      .add("azure.signinlogs.properties.status.error_code", 0)  // a number: "0" matches it (S8)
      .add("azure.signinlogs.properties.client_app_used", "Authenticated SMTP");

  eqlite::Vm vm;  // per-thread scratch; the query is immutable and shareable
  const bool smtp = vm.matches(*query, event);

  event.clear();
  event.add("event.dataset", "azure.signinlogs")
      .add("azure.signinlogs.properties.status.error_code", 50126)  // a failed sign-in
      .add("azure.signinlogs.properties.client_app_used", "IMAP4");
  const bool failed = vm.matches(*query, event);

  std::cout << "legacy SMTP sign-in: " << (smtp ? "match" : "no match") << '\n'
            << "failed IMAP sign-in: " << (failed ? "match" : "no match") << '\n';
  return (smtp && !failed) ? 0 : 1;
}
