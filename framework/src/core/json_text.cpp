#include "core/json_text.hpp"

#include <functional>
#include <set>
#include <vector>

#include "run/files.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {

// "line:column" of byte `offset` (1-based, as an editor shows it).
std::string line_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

// One pass over the text before parsing: the first bracket that opens level kMaxJsonDepth + 1 is refused, so
// neither the parser nor any later dump() can recurse that deep. Brackets inside strings do not count.
void require_shallow(const std::string& text, const std::string& name) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw JsonStructureError(name + ":" + line_column(text, i) + ": JSON nested deeper than " +
                                 std::to_string(kMaxJsonDepth) + " levels");
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

// The object keys seen so far at each open level; a key seen twice in one object is refused, naming where.
struct DuplicateKeyCheck {
  const std::string& name;
  std::vector<std::set<std::string>> keys;  // one per open object
  std::vector<std::string> path;            // the key each open object was reached by ("" at the top)
  std::string last_key;

  bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        keys.emplace_back();
        path.push_back(last_key);
        last_key.clear();
        break;
      case Json::parse_event_t::key: {
        const std::string key = parsed.get<std::string>();
        if (!keys.empty() && !keys.back().insert(key).second) {
          std::string where;
          for (const auto& p : path)
            if (!p.empty()) where += p + ".";
          throw JsonStructureError(name + ": key \"" + where + key +
                                   "\" given twice (JSON keeps only one; remove the other)");
        }
        last_key = key;
        break;
      }
      case Json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        if (!path.empty()) path.pop_back();
        last_key.clear();
        break;
      case Json::parse_event_t::array_start:
        keys.emplace_back();  // arrays hold no keys; keeps the stacks aligned with the nesting
        path.push_back(last_key);
        last_key.clear();
        break;
      case Json::parse_event_t::array_end:
        if (!keys.empty()) keys.pop_back();
        if (!path.empty()) path.pop_back();
        last_key.clear();
        break;
      case Json::parse_event_t::value:
        break;
    }
    return true;
  }
};

}  // namespace

Json parse_json_text(const std::string& text, const std::string& name) {
  require_shallow(text, name);
  DuplicateKeyCheck duplicates{name, {}, {}, {}};
  try {
    return Json::parse(text, std::ref(duplicates), /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const Json::out_of_range& e) {
    // e.g. a number too large for a double (found by fuzzing): not a syntax error, still bad input.
    throw InputError(name + ": malformed JSON: " + e.what());
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    if (const auto at = what.find("parse error"); at != std::string::npos) what = what.substr(at);
    throw InputError(name + ":" + line_column(text, e.byte == 0 ? 0 : e.byte - 1) + ": malformed JSON: " + what);
  } catch (const Json::exception& e) {
    throw InputError(name + ": malformed JSON: " + e.what());
  }
}

Json read_json_file(const std::string& path) { return parse_json_text(files::read_all(path), path); }

std::string json_excerpt(const Json& value, std::size_t max_chars) {
  std::string text = value.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
  if (text.size() <= max_chars) return text;
  const std::size_t total = text.size();
  text.resize(max_chars);
  return text + "... (" + std::to_string(total) + " characters)";
}

}  // namespace wow
