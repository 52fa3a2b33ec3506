// bench/patterns_data.cpp — wildcard lists and the values matched against them.
#include <set>

#include "bench/data.hpp"

namespace bench {

namespace {

// Words of process names, tools, paths and command lines, as detection rules name them.
const std::vector<std::string> kWords = {
    "powershell", "pwsh",       "cmd",         "rundll32",      "regsvr32",   "mshta",
    "wscript",    "cscript",    "certutil",    "bitsadmin",     "msiexec",    "schtasks",
    "wmic",       "psexec",     "mimikatz",    "procdump",      "sekurlsa",   "lsass",
    "ntds",       "vssadmin",   "wbadmin",     "bcdedit",       "netsh",      "reg",
    "sc",         "net1",       "whoami",      "nltest",        "adfind",     "bloodhound",
    "sharphound", "rubeus",     "kerberoast",  "cobalt",        "beacon",     "meterpreter",
    "ngrok",      "anydesk",    "teamviewer",  "screenconnect", "rclone",     "megasync",
    "curl",       "wget",       "python",      "perl",          "ruby",       "php",
    "node",       "bash",       "sh",          "zsh",           "nc",         "ncat",
    "socat",      "openssl",    "base64",      "chmod",         "chown",      "crontab",
    "systemctl",  "insmod",     "modprobe",    "kubectl",       "docker",     "containerd",
    "runc",       "sudo",       "passwd",      "shadow",        "sshd",       "authorized_keys",
    "bashrc",     "profile",    "temp",        "appdata",       "roaming",    "startup",
    "system32",   "syswow64",   "programdata", "public",        "downloads",  "desktop",
    "update",     "installer",  "setup",       "payload",       "dropper",    "loader",
    "inject",     "hollow",     "shellcode",   "encoded",       "bypass",     "hidden",
    "noprofile",  "invoke",     "expression",  "download",      "string",     "webclient",
    "frombase64", "reflection", "assembly",    "amsi",          "defender",   "exclusion",
    "firewall",   "audit",      "eventlog",    "clear",         "shadowcopy", "backup",
    "recovery",   "ransom",     "encrypt",     "tor",           "onion",      "pastebin",
    "discord",    "telegram",   "dropbox",     "onedrive",      "sharepoint", "outlook",
    "winword",    "excel",      "acrord32",    "chrome",        "msedge",     "firefox",
    "iexplore"};

const std::vector<std::string> kPrefixes = {"C:\\Windows\\System32\\",
                                            "C:\\Windows\\Temp\\",
                                            "C:\\Users\\Public\\",
                                            "C:\\ProgramData\\",
                                            "C:\\Program Files\\",
                                            "\\\\?\\C:\\Windows\\",
                                            "/tmp/",
                                            "/dev/shm/",
                                            "/var/tmp/",
                                            "/usr/bin/",
                                            "/etc/",
                                            "/Library/LaunchAgents/",
                                            "/Users/Shared/",
                                            "HKLM\\SOFTWARE\\Microsoft\\",
                                            "HKEY_USERS\\"};

const std::vector<std::string> kSuffixes = {"",   ".exe", ".dll", ".ps1", ".sh",  ".py",
                                            "32", "64",   "_x64", ".bat", ".vbs", "-helper"};

}  // namespace

std::vector<std::string> t1078_wildcards() {
  return {"*IMAP*",
          "*POP3*",
          "*SMTP*",
          "*BasicAuth*",
          "*ExchangeActiveSync*",
          "*AutoDiscover*",
          "*Exchange Web Services*",
          "*Authenticated SMTP*",
          "*Outlook Anywhere*"};
}

std::vector<std::string> client_app_values(std::size_t n, std::uint64_t seed) {
  static const std::vector<std::string> kCommon = {"Browser", "Mobile Apps and Desktop clients",
                                                   "Unknown"};
  static const std::vector<std::string> kLegacy = {"Authenticated SMTP",
                                                   "Autodiscover",
                                                   "Exchange ActiveSync",
                                                   "Exchange Online PowerShell",
                                                   "Exchange Web Services",
                                                   "IMAP4",
                                                   "MAPI Over HTTP",
                                                   "Offline Address Book",
                                                   "Outlook Anywhere (RPC over HTTP)",
                                                   "Outlook Service",
                                                   "POP3",
                                                   "Reporting Web Services",
                                                   "Other clients"};
  Rng rng(seed);
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(rng.chance(0.8) ? rng.pick(kCommon) : rng.pick(kLegacy));
  return out;
}

std::vector<std::string> generate_wildcards(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::set<std::string> seen;
  std::vector<std::string> out;
  while (out.size() < n) {
    std::string p;
    const auto kind = rng.below(10);
    if (kind < 5) {  // *word*
      p = "*" + rng.pick(kWords) + rng.pick(kSuffixes) + "*";
    } else if (kind < 7) {  // *word*word*
      p = "*" + rng.pick(kWords) + "*" + rng.pick(kWords) + "*";
    } else {  // prefix*
      p = rng.pick(kPrefixes) + rng.pick(kWords) + "*";
    }
    if (seen.insert(p).second) out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> generate_path_values(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  static const std::vector<std::string> kPlain = {
      "svchost", "explorer", "taskhostw", "RuntimeBroker", "SearchIndexer",      "dllhost",
      "conhost", "spoolsv",  "ctfmon",    "sihost",        "backgroundTaskHost", "smartscreen",
      "systemd", "cron",     "rsyslogd",  "dbus-daemon",   "NetworkManager",     "snapd"};
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    // Most values are ordinary; some use the suspicious vocabulary.
    const std::string word = rng.chance(0.85) ? rng.pick(kPlain) : rng.pick(kWords);
    std::string v = rng.pick(kPrefixes) + word + rng.pick(kSuffixes);
    if (rng.chance(0.4)) v += " --" + rng.pick(kPlain) + " " + std::to_string(rng.below(100000));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace bench
