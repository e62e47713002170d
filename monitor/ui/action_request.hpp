// What a panel asks the application to do. Panels never touch a session themselves: they are
// pure functions of (history, acting state, UI state) that append requests here, and the app
// carries them out between frames (so a panel can be rendered in a test with no session).
#pragma once

#include <cstdint>
#include <string>

#include "shmipc/block.hpp"

namespace shmscope {

struct ActionRequest {
  enum class Kind {
    Attach,          // text: session name
    StartAsParent,   // text: session name: attach to it and join as parent, creating it
    JoinAsParent,
    JoinAsChild,
    Leave,
    SendMessage,     // bytes: the message (already decoded from text or hex)
    SendCommand,     // command
    SetMode,         // mode
    InjectSetEvent,  // event
    InjectHoldMutex,  // seconds
    InjectFlipChildAck,
    InjectRawData,   // offset (into data), bytes
    SetPaused,       // flag
    // Classroom (issue 4), carried out by the app's ClassroomLink, not the SessionLink.
    StepModeSet,       // flag: step mode on / off for the attached session
    StepOne,           // one action: the oldest parked (slot < 0) or the one in `slot`
    StepRun,           // grant every action as it parks
    StepPause,         // stop granting
    StepRunToEvent,    // grant until an event has been set
    StepSlowMotion,    // grant one action every `seconds`
    ScenarioStart,     // text: scenario name
    ScenarioStop,
    ExportTrace,       // text: path of the Chrome trace JSON
    ExportDiagramPng,  // text: path of the PNG
  };
  Kind kind = Kind::Attach;
  std::string text;
  std::string bytes;
  shmipc::Command command = shmipc::Command::None;
  shmipc::PeerMode mode = shmipc::PeerMode::Reliable;
  shmipc::EventId event = shmipc::EventId::SendMessage;
  double seconds = 0;
  std::uint32_t offset = 0;
  bool flag = false;
  int slot = -1;  // StepOne: the participant slot to grant, < 0 for the oldest
};

}  // namespace shmscope
