#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app/command_registry.hpp"

namespace se::app {
std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}
}  // namespace se::app

int main(int argc, char** argv) {
  CLI::App app{"Swift Eats: real-time food delivery platform"};
  app.require_subcommand(1);
  for (auto& setup : se::app::command_registry()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "swifteats: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
