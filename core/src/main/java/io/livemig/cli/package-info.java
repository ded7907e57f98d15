/**
 * Command-line tools behind {@code scripts/}: picocli commands that validate every option and print one-line
 * errors. Exit codes: 0 success, 1 the input was read and refused (e.g. a malformed page stream), 2 bad usage
 * or an unreadable file. May depend on every other package.
 */
package io.livemig.cli;
