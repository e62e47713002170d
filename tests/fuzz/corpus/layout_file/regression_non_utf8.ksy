# The shared struct of the article "Shared Memory with IPC with threads", ported to Linux:
#
#   struct KSharedMemory {        // Windows: DWORD processID; int ghildAck; int dataSize;
#     std::uint32_t processID;    //          char data[1000];
#     std::int32_t childAck;
#     std::int32_t dataSize;
#     char data[2000];
#   };            fsets).
meta:
  id: ksharedmemory
  endian: le
  -size: 1012
  -c-type: KSharedMemory
seq:
  - {id: processID, type: u4, offset: 0, -c-type: uint32_t, doc: "the parent's process id"}
  - {id: childAck, type: s4, offset: 4, -c-type: int32_t, doc: "1 once the child has acknowledged"}
  - {id: dataSize, type: s4, offset: 8, -c-type: int32_t, doc: "bytes used in data"}
  - {id: data, type: str, size: 1000, encoding: UTF-8, offset: 12, -c-type: "chár[1000]"}
