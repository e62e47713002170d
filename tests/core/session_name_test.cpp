#include <doctest/doctest.h>

#include <string>

#include "shmipc/error.hpp"
#include "shmipc/session_name.hpp"

using shmipc::session_name_problem;

TEST_CASE("the article's default name and names of the allowed characters are valid") {
  CHECK_FALSE(session_name_problem("KBuildDevelop"));
  CHECK_FALSE(session_name_problem("a"));
  CHECK_FALSE(session_name_problem("Az09._-"));
  CHECK_FALSE(session_name_problem("..."));
  CHECK_FALSE(session_name_problem(std::string(64, 'x')));
}

TEST_CASE("a bad character is named with its position") {
  auto p = session_name_problem("a/b");
  REQUIRE(p);
  CHECK(
      *p ==
      "invalid session name \"a/b\": character '/' at position 2 is not one of A-Z a-z 0-9 . _ -");
  auto space = session_name_problem("my session");
  REQUIRE(space);
  CHECK(space->find("character ' ' at position 3") != std::string::npos);
}

TEST_CASE("a control or non-ASCII byte is shown as hex so the message stays printable") {
  auto p = session_name_problem(std::string("ab\ncd"));
  REQUIRE(p);
  CHECK(p->find("byte 0x0a at position 3") != std::string::npos);
  CHECK(p->find('\n') == std::string::npos);
}

TEST_CASE("empty, too long, dot and dot-dot names are refused") {
  REQUIRE(session_name_problem(""));
  CHECK(session_name_problem("")->find("empty") != std::string::npos);
  auto long_name = session_name_problem(std::string(65, 'x'));
  REQUIRE(long_name);
  CHECK(long_name->find("65 characters") != std::string::npos);
  CHECK(session_name_problem("."));
  CHECK(session_name_problem(".."));
}

TEST_CASE("validate_session_name throws InvalidName with the problem as its message") {
  try {
    shmipc::validate_session_name("x*");
    FAIL("no exception");
  } catch (const shmipc::Error& e) {
    CHECK(e.code() == shmipc::ErrorCode::InvalidName);
    CHECK(std::string(e.what()).find("'*' at position 2") != std::string::npos);
  }
  CHECK_NOTHROW(shmipc::validate_session_name("ok"));
}

TEST_CASE("a session's shared-memory object is /shmscope.<name>") {
  CHECK(shmipc::segment_name("KBuildDevelop") == "/shmscope.KBuildDevelop");
}
