package dev.glia.policy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A tunable knob of a policy: a non-final instance field of type double, int, long or boolean
 * whose initial value is the default. The Tuner searches between {@code min} and {@code max};
 * artifacts record the values a policy was judged with.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Param {
    String description() default "";

    double min() default Double.NEGATIVE_INFINITY;

    double max() default Double.POSITIVE_INFINITY;
}
