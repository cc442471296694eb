#pragma once
// Every JSON the program reads goes through parse_json_text: spec files, --set values, status.json, checkpoint
// records, locks and sweep records. It refuses, as bad input naming the file, what would otherwise crash or mislead:
// nesting deeper than kMaxJsonDepth (the parser and dump() recurse: 200 000 levels overflowed the stack), a key given
// twice in one object (the library keeps the last one silently), and malformed text (with line and column).
#include <cstddef>
#include <string>

#include "wow/errors.hpp"
#include "wow/params.hpp"

namespace wow {

// Far above any spec (sweeps over whole component nodes reach about 10 levels), far below a stack overflow.
inline constexpr std::size_t kMaxJsonDepth = 128;

// Too deep, or a key given twice: refused even where malformed text would be taken as a plain string (--set).
struct JsonStructureError : InputError {
  using InputError::InputError;
};

// Parses JSON text; `name` (a file, or "--set path") starts every error message. Throws InputError.
Json parse_json_text(const std::string& text, const std::string& name);

// Reads and parses a whole file (InputError naming the path when it cannot be read or parsed).
Json read_json_file(const std::string& path);

// A value for an error message: its JSON text, cut to about `max_chars` characters ("... (12345 characters)").
std::string json_excerpt(const Json& value, std::size_t max_chars = 80);

}  // namespace wow
