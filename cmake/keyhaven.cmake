# kh_module(NAME SOURCES ... DEPS ...): one static library per module, linked PRIVATE/PUBLIC
# as the dependency direction in DESIGN.md allows.
function(kh_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(kh_${name} STATIC ${M_SOURCES})
  target_include_directories(kh_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(kh_${name} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ${M_PRIVATE_DEPS})
endfunction()

# kh_test(NAME LABEL SOURCES ... DEPS ...): one gtest binary, registered with ctest.
function(kh_test name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT T_LABEL)
    set(T_LABEL unit)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL} TIMEOUT 300)
endfunction()
