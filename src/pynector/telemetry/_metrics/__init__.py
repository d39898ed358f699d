"""The live side of the meter facades: what runs once a meter provider is set.

:mod:`pynector.telemetry.metrics` keeps the disabled path to one attribute
read per call; everything else loads here, on first use:

* :mod:`.validation`: instrument names, units, bucket boundaries and
  amounts checked against OpenTelemetry's rules, with one warning per
  problem and a coerced or dropped value instead of an exception;
* :mod:`.binding`: real OpenTelemetry meters and instruments obtained for a
  facade, and observable instruments' callbacks wrapped so that they never
  fail a collection;
* :mod:`.measure`: one measurement, from a facade to the real instrument;
* :mod:`.boundary`: attributes redacted when the meter provider does not.

Its modules may import the hot-path modules and :mod:`.._attributes`;
OpenTelemetry only inside functions, and only once the application has it
loaded.
"""
