package logs;

//SOURCES Budget.java

import java.util.regex.Pattern;

/** --include / --exclude (either may be null): which events ship. A dropped one is counted, and its offset still advances. */
public record Filter(Pattern include, Pattern exclude) {

    /** An include within its budget counts as a match, an exclude does not: a slow pattern ships the line. */
    boolean drops(String line, Budget budget) {
        return (include != null && !budget.find(include, line, true)) || (exclude != null && budget.find(exclude, line, false));
    }
}
