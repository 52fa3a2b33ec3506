// eqlite/version.hpp
#pragma once

namespace eqlite {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace eqlite
