package dev.stampede.protocol;

import java.util.ArrayList;
import java.util.List;

/** Test handler: records what a decoder reports as "v:VALUE" and "r:LINE:REASON" strings, and "acks:LINE" for the opener. */
final class RecordingHandler implements LineHandler {
    final List<String> events = new ArrayList<>();

    @Override
    public void onValue(long epochMillis) {
        events.add("v:" + epochMillis);
    }

    @Override
    public void onReject(long lineNumber, Reject reason) {
        events.add("r:" + lineNumber + ":" + reason);
    }

    @Override
    public void onAcksRequested(long lineNumber) {
        events.add("acks:" + lineNumber);
    }
}
