package logs;

//SOURCES Budget.java Parser.java Parsers.java

/** --parse none: the line as it is, no fields. */
final class ParseNone implements Parser {
    @Override public Result parse(String line) { return Result.NONE; }

    @Override public boolean givesFields() { return false; }

    static final class Kind implements Parsers.Kind {
        @Override public String name() { return "none"; }
        @Override public Parser make(String argument, Budget budget) { return new ParseNone(); }
    }
}
