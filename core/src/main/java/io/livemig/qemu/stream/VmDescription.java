package io.livemig.qemu.stream;

import io.livemig.stream.PageStreamException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON that QEMU appends after the end of stream (item 0x06): the device sections of the stream, in the
 * order they were written, each with its name ({@code "timer"}, {@code "0000:00:00.0/I440FX"}, ...), instance
 * id and VMState fields; and the target page size. livemig reads the names, instance ids and page size with
 * a streaming parser and skips the rest.
 *
 * <p>Immutable; thread-safe.
 */
public final class VmDescription
{
    private static final JsonFactory JSON = new JsonFactory();

    /** One device section: its id string and instance id. */
    public record Device(String name, long instanceId)
    {
        @Override
        public String toString()
        {
            return instanceId == 0 ? name : name + " #" + instanceId;
        }
    }

    private final long offset;
    private final int length;
    private final long pageSize;
    private final List<Device> devices;

    private VmDescription(final long offset, final int length, final long pageSize, final List<Device> devices)
    {
        this.offset = offset;
        this.length = length;
        this.pageSize = pageSize;
        this.devices = List.copyOf(devices);
    }

    /**
     * @param json   the description's bytes.
     * @param offset where they start in the stream, for messages.
     * @return the description.
     * @throws PageStreamException if the bytes are not JSON, or not an object whose {@code devices} is an array of
     *                             objects with a string {@code name}; the offset names the byte at fault.
     */
    public static VmDescription parse(final byte[] json, final long offset) throws PageStreamException
    {
        try (JsonParser parser = JSON.createParser(json))
        {
            expect(parser, JsonToken.START_OBJECT, "an object", offset);
            long pageSize = -1;
            List<Device> devices = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                final JsonToken value = parser.nextToken();
                if ("page_size".equals(field) && value == JsonToken.VALUE_NUMBER_INT)
                {
                    pageSize = parser.getLongValue();
                }
                else if ("devices".equals(field))
                {
                    if (value != JsonToken.START_ARRAY)
                    {
                        throw refusal(parser, offset, "\"devices\" is not an array");
                    }
                    devices = devices(parser, offset);
                }
                else
                {
                    parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null)
            {
                throw refusal(parser, offset, "the description is not one JSON object");
            }
            if (devices == null)
            {
                throw new PageStreamException(offset, "VM description: the description has no \"devices\"");
            }
            return new VmDescription(offset, json.length, pageSize, devices);
        }
        catch (final PageStreamException ex)
        {
            throw ex;
        }
        catch (final JsonProcessingException ex)
        {
            final JsonLocation at = ex.getLocation();
            final String message = String.valueOf(ex.getOriginalMessage()).lines().findFirst().orElse("");
            throw new PageStreamException(offset + (at == null ? 0 : Math.max(0, at.getByteOffset())),
                "VM description is not valid JSON: " + message);
        }
        catch (final IOException ex)
        {
            throw new PageStreamException(offset, "VM description cannot be read: " + ex);
        }
    }

    private static List<Device> devices(final JsonParser parser, final long offset) throws IOException
    {
        final List<Device> devices = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY)
        {
            if (parser.currentToken() != JsonToken.START_OBJECT)
            {
                throw refusal(parser, offset, "a device of \"devices\" is not an object");
            }
            String name = null;
            long instance = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME)
            {
                final String field = parser.currentName();
                final JsonToken value = parser.nextToken();
                if ("name".equals(field) && value == JsonToken.VALUE_STRING)
                {
                    name = parser.getText();
                }
                else if ("instance_id".equals(field) && value == JsonToken.VALUE_NUMBER_INT)
                {
                    instance = parser.getLongValue();
                }
                else
                {
                    parser.skipChildren();
                }
            }
            if (name == null)
            {
                throw refusal(parser, offset, "a device of \"devices\" has no string \"name\"");
            }
            devices.add(new Device(name, instance));
        }
        return devices;
    }

    private static void expect(final JsonParser parser, final JsonToken token, final String what, final long offset)
        throws IOException
    {
        if (parser.nextToken() != token)
        {
            throw refusal(parser, offset, "the description is not " + what);
        }
    }

    private static PageStreamException refusal(final JsonParser parser, final long offset, final String reason)
    {
        final long at = Math.max(0, parser.currentTokenLocation().getByteOffset());
        return new PageStreamException(offset + at, "VM description: " + reason);
    }

    /** @return the stream offset of the JSON's first byte. */
    public long offset()
    {
        return offset;
    }

    /** @return the JSON's length in bytes. */
    public int length()
    {
        return length;
    }

    /** @return the target page size it states, or -1 if it states none. */
    public long pageSize()
    {
        return pageSize;
    }

    /** @return the device sections, in stream order. */
    public List<Device> devices()
    {
        return devices;
    }
}
