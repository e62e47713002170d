#include "shmmetrics/listen_address.hpp"

#include <cctype>

#include "shmipc/error.hpp"

namespace shmmetrics {

namespace {

[[noreturn]] void refuse(std::string_view text, const std::string& why) {
  std::string shown(text.substr(0, 80));
  for (char& c : shown)
    if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
  throw shmipc::Error(shmipc::ErrorCode::Usage,
                      "--listen \"" + shown + "\": " + why + " (expected HOST:PORT, e.g. " +
                          std::string(kDefaultListen) + " or [::1]:9464)");
}

bool host_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool ipv6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

std::uint16_t parse_port(std::string_view all, std::string_view port) {
  if (port.empty()) refuse(all, "the port is missing");
  if (port.size() > 5) refuse(all, "the port is not a number from 0 to 65535");
  std::uint32_t value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') refuse(all, "the port is not a number from 0 to 65535");
    value = value * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (value > 65535) refuse(all, "port " + std::string(port) + " is out of range 0-65535");
  return static_cast<std::uint16_t>(value);
}

}  // namespace

ListenAddress parse_listen_address(std::string_view text) {
  if (text.empty()) refuse(text, "the address is empty");
  if (text.size() > 300) refuse(text, "the address is longer than 300 characters");
  ListenAddress address;
  std::string_view rest;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) refuse(text, "'[' without a closing ']'");
    const std::string_view host = text.substr(1, close - 1);
    if (host.empty()) refuse(text, "the IPv6 address between [ and ] is empty");
    for (char c : host)
      if (!ipv6_char(c)) refuse(text, "an IPv6 address holds only hex digits, ':' and '.'");
    if (close + 1 >= text.size() || text[close + 1] != ':') refuse(text, "':PORT' must follow ']'");
    address.host = std::string(host);
    rest = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) refuse(text, "the port is missing");
    const std::string_view host = text.substr(0, colon);
    if (host.empty()) refuse(text, "the host is missing (0.0.0.0 listens on every interface)");
    if (host.find(':') != std::string_view::npos)
      refuse(text, "an IPv6 address must be written in brackets");
    for (char c : host)
      if (!host_name_char(c))
        refuse(text, "a host holds only letters, digits, '-', '.' and '_'");
    if (host.size() > 253) refuse(text, "the host name is longer than 253 characters");
    address.host = std::string(host);
    rest = text.substr(colon + 1);
  }
  address.port = parse_port(text, rest);
  return address;
}

std::string ListenAddress::text() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string listen_url(const ListenAddress& address, std::uint16_t port) {
  ListenAddress bound = address;
  bound.port = port;
  return "http://" + bound.text() + "/metrics";
}

}  // namespace shmmetrics
