// Beast and Asio are compiled once, here (separate compilation keeps every other file light).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
