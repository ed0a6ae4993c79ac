package dev.stampede.engine;

import java.util.ArrayList;
import java.util.List;

/** Test sink: keeps what the engine releases (each copy) and what it reports late. */
class CollectingSink implements OrderedSink {
    final List<Long> finals = new ArrayList<>();
    final List<Long> late = new ArrayList<>();

    @Override
    public void onFinal(long value, int copies) {
        for (int i = 0; i < copies; i++) {
            finals.add(value);
        }
    }

    @Override
    public void onLate(long value) {
        late.add(value);
    }
}
