# shmipc's own shared block (/dev/shm/shmscope.SESSION), written by
#   shmipc inspect --type shmipc::Block --from build/default/bin/shmipc --emit-layout
# Regenerate it that way whenever core/include/shmipc/block.hpp changes (kLayoutVersion).
# Use it without debug info:  shmipc inspect shmscope.KBuildDevelop --layout THIS_FILE
# Format: docs/INSPECT.md (a subset of Kaitai Struct .ksy with explicit offsets)
meta:
  id: shmipc_block
  endian: le
  -size: 134336
  -c-type: shmipc::Block
seq:
  - {id: header, type: shmipc_blockheader, offset: 0, -c-type: shmipc::BlockHeader}
  - {id: message, type: shmipc_messagearea, offset: 64, -c-type: shmipc::MessageArea}
  - {id: mutex, type: shmipc_mutexarea, offset: 1152, -c-type: shmipc::MutexArea}
  - {id: events, type: shmipc_eventstate, offset: 1280, repeat: expr, repeat-expr: 5, -c-type: "shmipc::EventState[5]"}
  - {id: waiters, type: shmipc_waiterslot, offset: 1600, repeat: expr, repeat-expr: 16, -c-type: "shmipc::WaiterSlot[16]"}
  - {id: participants, type: shmipc_participantslot, offset: 2624, repeat: expr, repeat-expr: 8, -c-type: "shmipc::ParticipantSlot[8]"}
  - {id: control, type: shmipc_controlarea, offset: 3136, -c-type: shmipc::ControlArea}
  - {id: journal, type: shmipc_journalring, offset: 3200, -c-type: shmipc::JournalRing}
types:
  shmipc_blockheader:
    meta:
      -size: 64
      -c-type: shmipc::BlockHeader
    seq:
      - {id: magic, type: u8, offset: 0, -c-type: uint64_t}
      - {id: layout_version, type: u4, offset: 8, -c-type: uint32_t}
      - {id: block_size, type: u4, offset: 12, -c-type: uint32_t}
      - {id: creator_uid, type: u4, offset: 16, -c-type: uint32_t}
      - {id: creator_pid, type: u4, offset: 20, -c-type: uint32_t}
      - {id: created_realtime_ns, type: u8, offset: 24, -c-type: uint64_t}
      - {id: created_monotonic_ns, type: u8, offset: 32, -c-type: uint64_t}
      - {id: init_state, type: u4, offset: 40, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: session_epoch, type: u4, offset: 44, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: reserved, type: u1, offset: 48, repeat: expr, repeat-expr: 16, -c-type: "uint8_t[16]"}
  shmipc_messagearea:
    meta:
      -size: 1088
      -c-type: shmipc::MessageArea
    seq:
      - {id: version_head, type: u8, offset: 0, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: process_id, type: u4, offset: 8, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: child_ack, type: u4, offset: 12, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: data_size, type: u4, offset: 16, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: checksum, type: u4, offset: 20, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: message_sequence, type: u8, offset: 24, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: writer_pid, type: u4, offset: 32, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: message_flags, type: u4, offset: 36, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: message_read_sequence, type: u8, offset: 40, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: command, type: u4, offset: 48, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: command_arg, type: u4, offset: 52, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: command_sequence, type: u8, offset: 56, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: data, type: str, size: 1000, encoding: UTF-8, offset: 64, -c-type: "char[1000]"}
      - {id: ack_pid, type: u4, offset: 1064, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: pad, type: u1, offset: 1068, repeat: expr, repeat-expr: 12, -c-type: "uint8_t[12]"}
      - {id: version_tail, type: u8, offset: 1080, -c-type: std::atomic<long unsigned int>, -atomic: true}
  pthread_list_t:
    meta:
      -size: 16
      -c-type: __pthread_list_t
    seq:
      - {id: __prev, type: u8, -kind: pointer, offset: 0, -c-type: __pthread_internal_list*}
      - {id: __next, type: u8, -kind: pointer, offset: 8, -c-type: __pthread_internal_list*}
  pthread_mutex_s:
    meta:
      -size: 40
      -c-type: __pthread_mutex_s
    seq:
      - {id: __lock, type: s4, offset: 0, -c-type: int}
      - {id: __count, type: u4, offset: 4, -c-type: unsigned int}
      - {id: __owner, type: s4, offset: 8, -c-type: int}
      - {id: __nusers, type: u4, offset: 12, -c-type: unsigned int}
      - {id: __kind, type: s4, offset: 16, -c-type: int}
      - {id: __spins, type: s2, offset: 20, -c-type: short int}
      - {id: __elision, type: s2, offset: 22, -c-type: short int}
      - {id: __list, type: pthread_list_t, offset: 24, -c-type: __pthread_list_t}
  pthread_mutex_t:
    meta:
      -size: 40
      -c-type: pthread_mutex_t
      -union: true
    seq:
      - {id: __data, type: pthread_mutex_s, offset: 0, -c-type: __pthread_mutex_s}
      - {id: __size, type: str, size: 40, encoding: UTF-8, offset: 0, -c-type: "char[40]"}
      - {id: __align, type: s8, offset: 0, -c-type: long int}
  shmipc_mutexarea:
    meta:
      -size: 128
      -c-type: shmipc::MutexArea
    seq:
      - {id: mutex, type: pthread_mutex_t, offset: 0, -c-type: pthread_mutex_t}
      - {id: mutex_reserve, type: u1, offset: 40, repeat: expr, repeat-expr: 24, -c-type: "uint8_t[24]"}
      - {id: owner_pid, type: u4, offset: 64, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: owner_tid, type: u4, offset: 68, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: owner_role, type: u4, offset: 72, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: waiters, type: u4, offset: 76, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: owner_since_ns, type: u8, offset: 80, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: lock_count, type: u8, offset: 88, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: contended_count, type: u8, offset: 96, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: total_hold_ns, type: u8, offset: 104, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: owner_died_count, type: u4, offset: 112, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: last_dead_owner_pid, type: u4, offset: 116, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: last_owner_died_ns, type: u8, offset: 120, -c-type: std::atomic<long unsigned int>, -atomic: true}
  shmipc_eventstate:
    meta:
      -size: 64
      -c-type: shmipc::EventState
    seq:
      - {id: signalled, type: u4, offset: 0, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: last_setter_pid, type: u4, offset: 4, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: times_set, type: u8, offset: 8, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: times_consumed, type: u8, offset: 16, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: last_set_ns, type: u8, offset: 24, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: last_setter_role, type: u4, offset: 32, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: last_consumer_pid, type: u4, offset: 36, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: last_consumed_ns, type: u8, offset: 40, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: reserved, type: u1, offset: 48, repeat: expr, repeat-expr: 16, -c-type: "uint8_t[16]"}
  shmipc_waiterslot:
    meta:
      -size: 64
      -c-type: shmipc::WaiterSlot
    seq:
      - {id: owner_tid, type: u4, offset: 0, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: owner_pid, type: u4, offset: 4, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: wait_mask, type: u4, offset: 8, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: wake_seq, type: u4, offset: 12, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: since_ns, type: u8, offset: 16, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: owner_start_time, type: u8, offset: 24, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: owner_role, type: u4, offset: 32, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: reserved, type: u1, offset: 36, repeat: expr, repeat-expr: 28, -c-type: "uint8_t[28]"}
  shmipc_participantslot:
    meta:
      -size: 64
      -c-type: shmipc::ParticipantSlot
    seq:
      - {id: role, type: u4, offset: 0, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: pid, type: u4, offset: 4, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: start_time, type: u8, offset: 8, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: joined_ns, type: u8, offset: 16, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: heartbeat_ns, type: u8, offset: 24, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: activity, type: u4, offset: 32, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: mode, type: u4, offset: 36, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: step_pending, type: u4, offset: 40, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: step_grants, type: u4, offset: 44, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: step_taken, type: u4, offset: 48, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: step_pending_arg, type: u4, offset: 52, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: cpu, type: u4, offset: 56, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: run_state, type: u4, offset: 60, -c-type: std::atomic<unsigned int>, -atomic: true}
  shmipc_controlarea:
    meta:
      -size: 64
      -c-type: shmipc::ControlArea
    seq:
      - {id: step_mode, type: u4, offset: 0, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: control_seq, type: u4, offset: 4, -c-type: std::atomic<unsigned int>, -atomic: true}
      - {id: reserved, type: u1, offset: 8, repeat: expr, repeat-expr: 56, -c-type: "uint8_t[56]"}
  shmipc_journalentry:
    meta:
      -size: 64
      -c-type: shmipc::JournalEntry
    seq:
      - {id: version_head, type: u8, offset: 0, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: words, type: u8, offset: 8, repeat: expr, repeat-expr: 6, -c-type: "std::atomic<long unsigned int>[6]", -atomic: true}
      - {id: version_tail, type: u8, offset: 56, -c-type: std::atomic<long unsigned int>, -atomic: true}
  shmipc_journalring:
    meta:
      -size: 131136
      -c-type: shmipc::JournalRing
    seq:
      - {id: next, type: u8, offset: 0, -c-type: std::atomic<long unsigned int>, -atomic: true}
      - {id: reserved, type: u1, offset: 8, repeat: expr, repeat-expr: 56, -c-type: "uint8_t[56]"}
      - {id: entries, type: shmipc_journalentry, offset: 64, repeat: expr, repeat-expr: 2048, -c-type: "shmipc::JournalEntry[2048]"}
