package dev.stampede.engine;

/**
 * A ring of non-negative counters, one per slot, kept in pages of {@value #PAGE_SLOTS} slots that
 * exist only while one of their counters is not zero.
 *
 * <p>Why pages: the engine counts its active sources' latest values per millisecond over a ring
 * that spans the hold lag plus the max skew (2<sup>19</sup> slots with the defaults, 2 MB as one
 * {@code int[]}, all of it touched when Java zeroes it), while those values sit within a second or
 * two of each other: a page or two is in use at a time. A page whose counters all fall back to zero
 * goes to a free list and is taken again by the next page needed, so after the first pages the
 * ring allocates nothing, and it holds as many pages as were ever in use at once. Each page keeps
 * the sum of its counters in one more slot at its end, which says when it is empty.
 *
 * <p>Not thread-safe; allocation-free once its pages exist.
 */
final class PagedCounterRing {
    /** Slots per page: 16 KB of counters. */
    static final int PAGE_SLOTS = 4096;
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE_MASK = PAGE_SLOTS - 1;
    /** Where a page keeps the sum of its counters. */
    private static final int TOTAL = PAGE_SLOTS;

    private final int slotMask;
    private final int[][] pages;
    private final int[][] free;
    private int freeCount;
    private int pagesMade;

    /**
     * @param slots the ring's size, a power of two (a ring smaller than a page is given one page:
     *     counting modulo a larger power of two is as good)
     */
    PagedCounterRing(int slots) {
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        final int size = Math.max(slots, PAGE_SLOTS);
        this.slotMask = size - 1;
        this.pages = new int[size / PAGE_SLOTS][];
        this.free = new int[pages.length][];
    }

    /** The counter at {@code slot} (taken modulo the ring's size). */
    int get(long slot) {
        final int s = (int) slot & slotMask;
        final int[] page = pages[s >>> PAGE_SHIFT];
        return page == null ? 0 : page[s & PAGE_MASK];
    }

    /** Adds one to the counter at {@code slot}. */
    void increment(long slot) {
        final int s = (int) slot & slotMask;
        int[] page = pages[s >>> PAGE_SHIFT];
        if (page == null) {
            page = take(s >>> PAGE_SHIFT);
        }
        page[s & PAGE_MASK]++;
        page[TOTAL]++;
    }

    /** Takes one from the counter at {@code slot}, which must be above zero. */
    void decrement(long slot) {
        final int s = (int) slot & slotMask;
        final int[] page = pages[s >>> PAGE_SHIFT];
        if (page == null || page[s & PAGE_MASK] == 0) {
            throw alreadyZero(s);
        }
        page[s & PAGE_MASK]--;
        if (--page[TOTAL] == 0) {
            release(s >>> PAGE_SHIFT);
        }
    }

    /** Sets the counter at {@code slot} to zero and returns what it was. */
    int clear(long slot) {
        final int s = (int) slot & slotMask;
        final int[] page = pages[s >>> PAGE_SHIFT];
        if (page == null) {
            return 0;
        }
        final int count = page[s & PAGE_MASK];
        if (count != 0) {
            page[s & PAGE_MASK] = 0;
            if ((page[TOTAL] -= count) == 0) {
                release(s >>> PAGE_SHIFT);
            }
        }
        return count;
    }

    /**
     * The first slot in [{@code from}, {@code bound}) whose counter is not zero, or {@code bound}:
     * a scan that skips pages that do not exist and reads each page as a plain array.
     */
    long firstNonZero(long from, long bound) {
        long t = from;
        while (t < bound) {
            final int s = (int) t & slotMask;
            final int[] page = pages[s >>> PAGE_SHIFT];
            final int start = s & PAGE_MASK;
            // Within this page: up to its end, or to bound.
            final int end = (int) Math.min(PAGE_SLOTS, start + (bound - t));
            if (page != null) {
                for (int i = start; i < end; i++) {
                    if (page[i] != 0) {
                        return t + (i - start);
                    }
                }
            }
            t += end - start;
        }
        return bound;
    }

    /** How many pages were ever made: the most that were in use at once. */
    int pagesMade() {
        return pagesMade;
    }

    /** Out of line, so that the hot methods stay small enough to inline. */
    private static IllegalStateException alreadyZero(int slot) {
        return new IllegalStateException("counter " + slot + " is already zero");
    }

    /** Page {@code p}'s counters are all zero: it goes to the free list, ready to be taken again. */
    private void release(int p) {
        free[freeCount++] = pages[p];
        pages[p] = null;
    }

    /** A page for page number {@code p}: a released one, or a new one only if none is free. */
    private int[] take(int p) {
        final int[] page;
        if (freeCount > 0) {
            page = free[--freeCount];
            free[freeCount] = null;
        } else {
            pagesMade++;
            page = new int[PAGE_SLOTS + 1];
        }
        pages[p] = page;
        return page;
    }
}
