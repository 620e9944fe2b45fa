    // evalrun: writes a case's value as JSON on standard output (harness/src/languages/values.rs).
    static void evalrun_put(StringBuilder o, Object v) {
        if (v == null) {
            o.append("null");
        } else if (v instanceof Boolean b) {
            o.append(b ? "true" : "false");
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            o.append(v.toString());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) o.append("{\"$float\":\"nan\"}");
            else if (Double.isInfinite(d)) o.append(d > 0 ? "{\"$float\":\"inf\"}" : "{\"$float\":\"-inf\"}");
            else o.append(Double.toString(d));
        } else if (v instanceof String || v instanceof Character) {
            String s = v.toString();
            o.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') o.append('\\').append(c);
                else if (c < 0x20 || c > 0x7e) o.append(String.format("\\u%04x", (int) c));
                else o.append(c);
            }
            o.append('"');
        } else if (v instanceof java.util.Optional<?> opt) {
            evalrun_put(o, opt.orElse(null));
        } else if (v instanceof java.util.List<?> list) {
            o.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) o.append(',');
                evalrun_put(o, list.get(i));
            }
            o.append(']');
        } else if (v instanceof java.util.Map<?, ?> map) {
            o.append("{\"$map\":[");
            boolean first = true;
            for (java.util.Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) o.append(',');
                first = false;
                o.append('[');
                evalrun_put(o, e.getKey());
                o.append(',');
                evalrun_put(o, e.getValue());
                o.append(']');
            }
            o.append("]}");
        } else if (v instanceof Record r) {
            o.append('[');
            java.lang.reflect.RecordComponent[] parts = r.getClass().getRecordComponents();
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) o.append(',');
                try {
                    parts[i].getAccessor().setAccessible(true);
                    evalrun_put(o, parts[i].getAccessor().invoke(r));
                } catch (ReflectiveOperationException e) {
                    o.append("{\"$unsupported\":\"unreadable record\"}");
                }
            }
            o.append(']');
        } else {
            o.append("{\"$unsupported\":");
            evalrun_put(o, v.getClass().getName());
            o.append('}');
        }
    }

    static void evalrun_emit(int index, Object value) {
        StringBuilder o = new StringBuilder("\n\u0001evalrun:").append(index).append(':');
        evalrun_put(o, value);
        System.out.print(o.append('\n'));
        System.out.flush();
    }
