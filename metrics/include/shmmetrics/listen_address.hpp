// The address `shmipc metrics --listen` binds: HOST:PORT, where HOST is an IPv4 address, a
// bracketed IPv6 address or a host name, and PORT 0-65535 (0: the kernel picks a free port,
// which the exporter prints). Outside input: parsed strictly, every refusal says why.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shmmetrics {

struct ListenAddress {
  std::string host;  // without brackets: "127.0.0.1", "::1", "localhost"
  std::uint16_t port = 0;

  // "127.0.0.1:9464", "[::1]:9464": what parse_listen_address reads back.
  std::string text() const;
};

inline constexpr std::string_view kDefaultListen = "127.0.0.1:9464";

// Throws shmipc::Error(Usage) naming the problem ("port 70000 is out of range 0-65535").
ListenAddress parse_listen_address(std::string_view text);

// The same address with another port (the one the kernel chose for port 0).
std::string listen_url(const ListenAddress& address, std::uint16_t port);

}  // namespace shmmetrics
