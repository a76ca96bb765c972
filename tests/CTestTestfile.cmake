# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[plugins.busted]=] "/usr/bin/busted" "--lua=lua5.4" "-o" "utfTerminal" "/work/main/plugins")
set_tests_properties([=[plugins.busted]=] PROPERTIES  LABELS "plugins" TIMEOUT "300" WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;26;add_test;/work/main/tests/CMakeLists.txt;0;")
