  // evalrun: writes a case's value as JSON on standard output (harness/src/languages/values.rs).
  const evalrun_value = (v) => {
    if (v === null || v === undefined) return null;
    switch (typeof v) {
      case 'number':
        if (Number.isNaN(v)) return { $float: 'nan' };
        if (!Number.isFinite(v)) return { $float: v > 0 ? 'inf' : '-inf' };
        return v;
      case 'boolean':
      case 'string':
        return v;
      case 'object':
        if (Array.isArray(v)) {
          const items = [];
          for (let i = 0; i < v.length; i++) items.push(evalrun_value(v[i]));
          return items;
        }
        // What assert.deepEqual (loose) never finds equal to a plain object or a primitive.
        for (const kind of [Map, Set, Date, RegExp, String, Number, Boolean, Promise, ArrayBuffer]) {
          if (v instanceof kind) return { $unsupported: kind.name };
        }
        // Other objects compare by their own enumerable properties, whatever their prototype.
        return { $map: Object.keys(v).map((k) => [k, evalrun_value(v[k])]) };
      default:
        return { $unsupported: typeof v };
    }
  };
  const evalrun_emit = (index, value) => {
    require('fs').writeSync(1, '\n\x01evalrun:' + index + ':' + JSON.stringify(evalrun_value(value)) + '\n');
  };
