/**
 * The line format of stampede's files, shared by everything that writes or reads them: one
 * non-negative decimal number of 1 to 19 ASCII digits and {@code \n} a line ({@link
 * dev.stampede.format.Ascii}, which the wire protocol's decoder uses too), and the names of the
 * files that go with an output ({@link dev.stampede.format.OutputFiles}: its late file).
 *
 * <p>The store, the resume scan, the publisher's tail, the client's record file and {@code verify}
 * all read and write through it, so none of them needs another for the format. Allocation-free,
 * no I/O.
 */
package dev.stampede.format;
