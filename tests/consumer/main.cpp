// Uses the installed headers and library only.
#include <eqlite/eqlite.hpp>

#include <iostream>

int main() {
  auto q = eqlite::compile(R"(process where process.name : "cmd.exe")");
  if (!q) return 2;
  eqlite::JsonReader reader(*q);
  eqlite::Event event;
  eqlite::Vm vm;
  if (!reader.read(R"({"event":{"category":"process"},"process":{"name":"CMD.EXE"}})", event))
    return 3;
  const bool hit = vm.matches(*q, event);
  std::cout << (hit ? "match" : "no match") << '\n';
  return hit ? 0 : 1;
}
