#pragma once
// The C++ type of the exception being handled, as a person reads it ("std::runtime_error", "int"): what a message
// about a plugin's failure can say when the exception carries no text of its own. Call it inside a catch block.
#include <string>

namespace wow {

std::string current_exception_type();

}  // namespace wow
