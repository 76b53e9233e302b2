package dev.tollgate.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * The annotations of an endpoint method as a payment scheme reads them: the method's own, else its
 * class's (as {@code @RequiresPayment} itself is read). Immutable.
 *
 * @param method the endpoint method
 * @param type the class it is called on (a servlet or a resource class)
 */
record EndpointElement(Method method, Class<?> type) implements AnnotatedElement {

    @Override
    public <T extends Annotation> T getAnnotation(Class<T> annotationClass) {
        T own = method.getAnnotation(annotationClass);
        return own != null ? own : type.getAnnotation(annotationClass);
    }

    @Override
    public Annotation[] getAnnotations() {
        List<Annotation> all = new ArrayList<>(List.of(method.getAnnotations()));
        for (Annotation a : type.getAnnotations()) {
            if (!method.isAnnotationPresent(a.annotationType())) {
                all.add(a);
            }
        }
        return all.toArray(new Annotation[0]);
    }

    @Override
    public Annotation[] getDeclaredAnnotations() {
        return getAnnotations();
    }

    @Override
    public String toString() {
        return type.getName() + "." + method.getName();
    }
}
