// sensor_child: the kind of program a user writes against the installed shmipc library. It joins
// a session as the child, says hello (childAck), sends a few sensor readings and waits for each
// receipt, then asks the parent to close (KILL_APP). Run it beside a real parent:
//
//   shmipc parent --session lab &
//   sensor_child lab 5
//
// Exit code 0 when every reading was received by the parent, 1 otherwise.
#include <shmipc/error.hpp>
#include <shmipc/peer.hpp>
#include <shmipc/session.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  const std::string session_name = argc > 1 ? argv[1] : "KBuildDevelop";
  const int readings = argc > 2 ? std::atoi(argv[2]) : 5;
  try {
    shmipc::SessionOptions options;
    options.name = session_name;
    options.role = shmipc::RoleRequest::Child;
    options.create_if_missing = false;  // the parent owns the session: fail if it is not there
    const auto session = shmipc::Session::join(options);
    shmipc::ChildPeer child(*session);
    const auto deadline = [] { return shmipc::deadline_after(std::chrono::seconds(10)); };
    child.acknowledge(deadline());
    int delivered = 0;
    for (int i = 1; i <= readings; ++i) {
      char reading[64];
      std::snprintf(reading, sizeof reading, "sensor %d: %.1f C", i, 20.0 + 0.5 * i);
      const shmipc::SendReceipt receipt = child.send_message(reading, deadline());
      std::printf("sent #%llu \"%s\": %s\n", static_cast<unsigned long long>(receipt.sequence),
                  reading, receipt.receipt ? "received" : "no receipt");
      if (receipt.receipt) ++delivered;
    }
    const bool closed = child.send_command(shmipc::Command::KillApp, 0, deadline());
    std::printf("%d of %d readings received; KILL_APP %s\n", delivered, readings,
                closed ? "confirmed" : "not confirmed");
    return delivered == readings && closed ? 0 : 1;
  } catch (const shmipc::Error& e) {
    std::fprintf(stderr, "sensor_child: %s\n", e.what());
    return 1;
  }
}
